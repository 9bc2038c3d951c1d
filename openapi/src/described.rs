//! One operation of the document as the SDK's table describes it: its id, its query and
//! header parameters, whether it is experimental, and every error answer. Both the read
//! API's operations and the experimental ones are built here.

use nixbuild::api::operation::Operation as ApiOperation;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::{Operation, OperationBuilder, Parameter};
use utoipa::openapi::{Response, ResponsesBuilder};

use crate::{parameters, responses};

/// An operation as the table describes it (id, query and header parameters, whether it is
/// experimental), with these words and its success answer; every error answer besides.
pub(crate) fn operation(
    op: &ApiOperation,
    tag: &str,
    summary: &str,
    description: &str,
    success: Response,
) -> Operation {
    let parameters: Vec<Parameter> = op
        .params
        .iter()
        .copied()
        .map(parameters::query)
        .chain(op.headers.iter().map(|name| parameters::header(name)))
        .collect();
    let responses = ResponsesBuilder::new()
        .response("200", success)
        .responses_from_iter(responses::errors(!parameters.is_empty()))
        .build();
    let mut operation = OperationBuilder::new()
        .operation_id(Some(op.name))
        .tag(tag)
        .summary(Some(summary))
        .description(Some(description))
        .parameters(Some(parameters))
        .responses(responses)
        .build();
    if op.experimental {
        operation.extensions = Some(ExtensionsBuilder::new().add("x-experimental", true).build());
    }
    operation
}
