//! The OpenAPI 3.1 document of nixbuild-mock's control API (`/_mock`), from the mock's own
//! wire types: what a test in another language generates its control client from.

use nixbuild::{Build, ErrorBody};

use crate::body_rules::{self, refusing};
use nixbuild_mock::AuthStatus;
use nixbuild_mock::control::{
    ALLOW_UNKNOWN_STATUS, BuildIds, CONTROL_ROUTES, ClockChange, ClockState, ControlRoute, ControlRouteId,
    DashboardLogin, FaultSpec, FixtureSpec, Health, JournalEntry, MAX_RIGHT_CHARS, MintedToken,
    RevokeRequest, StatusChange, TokenRequest,
};
use nixbuild_mock::limits::{MAX_BUILDS_PER_REQUEST, MAX_CONTROL_BODY_BYTES, MAX_STORED_BUILDS};
use utoipa::openapi::path::{
    Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::server::ServerBuilder;
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ComponentsBuilder, Content, HttpMethod, OpenApi, OpenApiBuilder, Paths, PathsBuilder, Ref, RefOr,
    Required, ResponseBuilder, ResponsesBuilder, Schema,
};
use utoipa::{PartialSchema, ToSchema};

/// The name of the control API's security scheme.
pub const ADMIN_SCHEME: &str = "admin";

const DESCRIPTION: &str = "\
The control API of nixbuild-mock, the stateful fake nixbuild.net: what a test in any language \
uses to add builds, move them through their statuses, mint and revoke tokens, inject faults, \
read the journal of the requests its code sent, and move the mock's clock. It lives on the \
same server as the fake API, under `/_mock`, outside the API's path prefix.

Every route but `GET /_mock/health` takes the admin token the mock printed when it started \
(`NIXBUILD_MOCK_ADMIN_TOKEN`) as `Authorization: Bearer <admin token>`. An API token gets 401 \
here, and the admin token gets 401 on the API. Errors are `{\"error\": \"…\"}`. Control \
requests are not journaled, faulted or counted by expectations.";

/// The control API's document.
pub fn document() -> OpenApi {
    let admin = SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "The mock's admin token, printed as NIXBUILD_MOCK_ADMIN_TOKEN when it starts (or given \
                 with --admin-token). Not an API token.",
            ))
            .build(),
    );
    let components = ComponentsBuilder::new()
        .schemas_from_iter(crate::build_schemas())
        .schema(Health::name(), Health::schema())
        .schema(
            FixtureSpec::name(),
            refusing(FixtureSpec::schema(), body_rules::fixture_rules()),
        )
        .schema(NEW_BUILD, new_build())
        .schema(BuildIds::name(), BuildIds::schema())
        .schema(StatusChange::name(), StatusChange::schema())
        .schema(
            TokenRequest::name(),
            refusing(
                TokenRequest::schema(),
                body_rules::token_rules(nixbuild::token::KNOWN_RIGHTS, MAX_RIGHT_CHARS),
            ),
        )
        .schema(MintedToken::name(), MintedToken::schema())
        .schema(DashboardLogin::name(), DashboardLogin::schema())
        .schema(RevokeRequest::name(), RevokeRequest::schema())
        .schema(
            FaultSpec::name(),
            refusing(FaultSpec::schema(), body_rules::fault_rules()),
        )
        .schema(AuthStatus::name(), AuthStatus::schema())
        .schema(JournalEntry::name(), JournalEntry::schema())
        .schema(
            ClockChange::name(),
            refusing(ClockChange::schema(), body_rules::clock_rules()),
        )
        .schema(ClockState::name(), ClockState::schema())
        .security_scheme(ADMIN_SCHEME, admin)
        .build();
    OpenApiBuilder::new()
        .info(crate::info("nixbuild-mock control API", DESCRIPTION))
        .servers(Some([ServerBuilder::new()
            .url("http://127.0.0.1:{port}")
            .description(Some("A nixbuild-mock on this machine (its NIXBUILD_MOCK_URL)"))
            .parameter(
                "port",
                utoipa::openapi::server::ServerVariableBuilder::new()
                    .default_value("8080")
                    .description(Some("The port it printed as NIXBUILD_MOCK_PORT")),
            )
            .build()]))
        .tags(Some(
            [
                ("health", "Whether the mock answers"),
                ("builds", "The builds the fake API serves"),
                ("tokens", "Tokens signed by the mock's root key"),
                ("faults", "Failures for the next API requests"),
                ("requests", "The journal of the API requests received"),
                ("clock", "The mock's now"),
            ]
            .map(|(name, description)| {
                TagBuilder::new()
                    .name(name)
                    .description(Some(description))
                    .build()
            }),
        ))
        .security(Some([SecurityRequirement::new(
            ADMIN_SCHEME,
            Vec::<String>::new(),
        )]))
        .paths(paths())
        .components(Some(components))
        .build()
}

/// The schema of one element of `POST /_mock/builds`.
const NEW_BUILD: &str = "NewBuild";

fn new_build() -> Schema {
    OneOfBuilder::new()
        .item(Ref::from_schema_name(<Build as ToSchema>::name()))
        .item(Ref::from_schema_name(FixtureSpec::name()))
        .description(Some(
            "A complete build (it has a `derivation_path`), stored as it is, or a fixture spec, \
             filled in realistically.",
        ))
        .into()
}

fn paths() -> Paths {
    CONTROL_ROUTES
        .iter()
        .fold(PathsBuilder::new(), |paths, row| {
            paths.path(row.path, describe(row))
        })
        .build()
}

/// What the document says of the control route `row`.
fn describe(row: &ControlRoute) -> PathItem {
    let build_ref = || Ref::from_schema_name(<Build as ToSchema>::name());
    match row.id {
        ControlRouteId::GetHealth => route(row, "health", "Whether the mock answers")
            .description("The readiness probe: needs no token.")
            .ok(json(ref_of(Health::name())))
            .build(),
        ControlRouteId::AddBuilds => route(row, "builds", "Add builds")
            .description(
                "Adds builds, each replacing any with the same id: complete builds as they \
                     are, fixture specs filled in realistically. A fixture without an id takes \
                     the next free one, and one without `created_at` the mock's now.",
            )
            .parameter(allow_unknown_status())
            .body(ArrayBuilder::new().items(Ref::from_schema_name(NEW_BUILD)).into())
            .answer(
                "201",
                "The ids of the builds added, in order",
                json(ref_of(BuildIds::name())),
            )
            .error(
                "400",
                "The body is not an array of builds and fixture specs, or a status is unknown; \
                 the message names the element",
            )
            .error(
                "409",
                &format!("The store would hold more than {MAX_STORED_BUILDS} builds"),
            )
            .error(
                "413",
                &format!(
                    "More than {MAX_BUILDS_PER_REQUEST} builds, or a body over \
                         {MAX_CONTROL_BODY_BYTES} bytes"
                ),
            )
            .build(),
        ControlRouteId::ListStoredBuilds => route(row, "builds", "List every stored build")
            .description("Every build the mock stores, newest first, without filters or auth.")
            .ok(json(ArrayBuilder::new().items(build_ref()).into()))
            .build(),
        ControlRouteId::ClearBuilds => route(row, "builds", "Remove every build").empty().build(),
        ControlRouteId::GetStoredBuild => route(row, "builds", "Get a stored build")
            .parameter(build_id_parameter())
            .ok(json(build_ref().into()))
            .error("400", "The id is not a number")
            .error("404", "The mock has no such build")
            .build(),
        ControlRouteId::SetBuildStatus => route(row, "builds", "Move a build to a status")
            .description(
                "Moves the build as the service would, at the mock's now: to `running` it \
                     starts; to a finished status it finishes (starting first if pending), with \
                     the outputs and figures of a finished build. Builds never go back to \
                     `pending`, and a finished build does not change.",
            )
            .parameter(build_id_parameter())
            .parameter(allow_unknown_status())
            .body(ref_of(StatusChange::name()))
            .ok(json(build_ref().into()))
            .error(
                "400",
                "The id or body is malformed, or the status is `pending` or unknown",
            )
            .error("404", "The mock has no such build")
            .error("409", "The build has finished already")
            .build(),
        ControlRouteId::MintToken => route(row, "tokens", "Mint a token")
            .description(
                "A token signed by the mock's root key, in nixbuild.net's shape: `owner(N); \
                     right({…}); check if time($time), $time < …;`, or the 2022 shape with \
                     `legacy`. Its expiry counts from the mock's now.",
            )
            .optional_body(ref_of(TokenRequest::name()))
            .answer("201", "The token", json(ref_of(MintedToken::name())))
            .error("400", "The body is malformed")
            .build(),
        ControlRouteId::RevokeToken => route(row, "tokens", "Revoke a token")
            .description(
                "From now on the token and every token attenuated from it get 401 \
                     \"revoked\"; the token it was attenuated from stays valid.",
            )
            .body(ref_of(RevokeRequest::name()))
            .empty()
            .error(
                "400",
                "The body is malformed, or the token is not a readable Biscuit token",
            )
            .build(),
        ControlRouteId::InjectFault => route(row, "faults", "Inject a fault")
            .description(
                "Queues a fault for the next API requests (of one path, or all); faults \
                     apply in the order they were injected.",
            )
            .body(ref_of(FaultSpec::name()))
            .answer("201", "The fault, as queued", json(ref_of(FaultSpec::name())))
            .error(
                "400",
                "The body is not exactly one fault, or a value is out of range",
            )
            .build(),
        ControlRouteId::ListFaults => route(row, "faults", "List the faults not yet used up")
            .ok(json(ArrayBuilder::new().items(ref_of(FaultSpec::name())).into()))
            .build(),
        ControlRouteId::ClearFaults => route(row, "faults", "Drop every fault not yet used")
            .empty()
            .build(),
        ControlRouteId::ListRequests => route(row, "requests", "Read the journal")
            .description(
                "The API requests received, oldest first, with their headers (secrets \
                     redacted), bodies, answers and auth verdicts.",
            )
            .parameter(query_parameter(
                "path",
                "Only requests to this path (with or without the mock's prefix)",
            ))
            .parameter(query_parameter(
                "method",
                "Only requests with this method (any case)",
            ))
            .parameter(integer_query_parameter(
                "after",
                "Only requests whose `seq` is greater: the ones newer than an entry already read",
            ))
            .ok(json(
                ArrayBuilder::new().items(ref_of(JournalEntry::name())).into(),
            ))
            .error("400", "An unknown query parameter")
            .build(),
        ControlRouteId::ClearRequests => route(row, "requests", "Empty the journal").empty().build(),
        ControlRouteId::GetClock => route(row, "clock", "Read the mock's clock")
            .ok(json(ref_of(ClockState::name())))
            .build(),
        ControlRouteId::SetClock => route(row, "clock", "Freeze or move the mock's clock")
            .description(
                "Freezes the clock at `now`, or moves it by `advance_seconds` and freezes it \
                     there. The clock decides token expiry, the creation time of fixtures that \
                     set none, and the times of status changes.",
            )
            .body(ref_of(ClockChange::name()))
            .ok(json(ref_of(ClockState::name())))
            .error(
                "400",
                "Not exactly one of `now` and `advance_seconds`, or an instant outside the \
                 years 0000 to 9999",
            )
            .build(),
        ControlRouteId::ResetClock => route(row, "clock", "Real time again").empty().build(),
        ControlRouteId::CreateDashboardLogin => route(row, "dashboard", "A login URL for the dashboard")
            .description(
                "A one-time URL that opens the dashboard (`/_mock/ui`) in a browser: its code is \
                     exchanged for a session cookie on first use, and expires unused after ten \
                     minutes. The page's own requests carry that cookie, never the admin token.",
            )
            .answer("201", "The login URL", json(ref_of(DashboardLogin::name())))
            .build(),
        // Outside the workspace (a release of this crate against a newer mock), a route not
        // described yet is listed, plainly; inside it, the match is exhaustive.
        #[cfg(not(nixbuild_workspace))]
        _ => route(row, "other", row.name).empty().build(),
    }
}

fn ref_of(name: impl Into<String>) -> RefOr<Schema> {
    Ref::from_schema_name(name).into()
}

fn json(schema: RefOr<Schema>) -> Content {
    Content::new(Some(schema))
}

fn build_id_parameter() -> Parameter {
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some("The build's id"))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(0))
                // Said, not only implied by `int64`: property-based testers take a format
                // as a hint and write 2^63. (isize is i64 on every target this builds for.)
                .maximum(Some(utoipa::Number::Int(i64::MAX as isize))),
        ))
        .build()
}

/// `?allow_unknown_status=true`: a status the mock does not know, on purpose.
fn allow_unknown_status() -> Parameter {
    ParameterBuilder::new()
        .name(ALLOW_UNKNOWN_STATUS)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(
            "Accept statuses the mock does not know (a status newer than it, on purpose); \
             without it an unknown status, such as a typo, is a 400",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .default(Some(serde_json::Value::Bool(false))),
        ))
        .build()
}

fn query_parameter(name: &str, description: &str) -> Parameter {
    optional_query(
        name,
        description,
        ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)),
    )
}

fn integer_query_parameter(name: &str, description: &str) -> Parameter {
    optional_query(
        name,
        description,
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(0)),
    )
}

/// An optional query parameter with this schema.
fn optional_query(name: &str, description: &str, schema: ObjectBuilder) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// One control route, described step by step; every route but health answers 401 without
/// the admin token.
struct Route {
    method: HttpMethod,
    operation: OperationBuilder,
    responses: ResponsesBuilder,
    parameters: Vec<Parameter>,
    open: bool,
    max_body_bytes: usize,
}

/// The route of the table's `row`: its method, id and whether it is open come from the
/// row, the words from here.
fn route(row: &ControlRoute, tag: &str, summary: &str) -> Route {
    Route {
        method: crate::operations::openapi_method(&row.method, row.name),
        operation: OperationBuilder::new()
            .operation_id(Some(row.name))
            .tag(tag)
            .summary(Some(summary)),
        responses: ResponsesBuilder::new(),
        parameters: Vec::new(),
        open: row.open,
        max_body_bytes: row.max_body_bytes,
    }
}

impl Route {
    fn description(mut self, text: &str) -> Self {
        self.operation = self.operation.description(Some(text));
        self
    }

    fn parameter(mut self, parameter: Parameter) -> Self {
        self.parameters.push(parameter);
        self
    }

    fn body(self, schema: RefOr<Schema>) -> Self {
        self.request_body(schema, Required::True)
    }

    fn optional_body(self, schema: RefOr<Schema>) -> Self {
        self.request_body(schema, Required::False)
    }

    /// A JSON body, over whose budget the mock answers 413.
    fn request_body(mut self, schema: RefOr<Schema>, required: Required) -> Self {
        self.operation = self.operation.request_body(Some(
            RequestBodyBuilder::new()
                .content("application/json", json(schema))
                .required(Some(required))
                .build(),
        ));
        let over = format!("The body is over {} bytes", self.max_body_bytes);
        self.error("413", &over)
    }

    fn ok(self, content: Content) -> Self {
        self.answer("200", "Success", content)
    }

    fn answer(mut self, status: &str, description: &str, content: Content) -> Self {
        self.responses = self.responses.response(
            status,
            ResponseBuilder::new()
                .description(description)
                .content("application/json", content)
                .build(),
        );
        self
    }

    /// 204, no body.
    fn empty(mut self) -> Self {
        self.responses = self
            .responses
            .response("204", ResponseBuilder::new().description("Done").build());
        self
    }

    fn error(mut self, status: &str, description: &str) -> Self {
        self.responses = self.responses.response(
            status,
            ResponseBuilder::new()
                .description(description)
                .content("application/json", json(ref_of(ErrorBody::name())))
                .build(),
        );
        self
    }

    fn build(mut self) -> PathItem {
        if !self.open {
            self = self.error("401", "No admin token, or another token");
        }
        let mut operation = self.operation;
        if self.open {
            // An empty requirement: no token at all.
            operation = operation.securities(Some([SecurityRequirement::default()]));
        }
        if !self.parameters.is_empty() {
            operation = operation.parameters(Some(self.parameters));
        }
        let operation: Operation = operation.responses(self.responses.build()).build();
        PathItem::new(self.method, operation)
    }
}
