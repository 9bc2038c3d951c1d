//! The filter setters of the requests over a [`BuildFilter`](crate::BuildFilter), written
//! once: each delegates to the filter's own setter of the same name.

/// Adds to `$request` (a struct with a `filter: BuildFilter` field) the setters of the
/// parameters listed: `all` for every filter, `window` for the creation-time window only.
macro_rules! filter_setters {
    ($request:ty, all) => {
        impl $request {
            /// Replaces the whole filter.
            pub fn filter(mut self, filter: $crate::BuildFilter) -> Self {
                self.filter = filter;
                self
            }

            /// The filter as it stands.
            pub fn current_filter(&self) -> &$crate::BuildFilter {
                &self.filter
            }

            /// Only builds of this derivation (its `.drv` store path).
            pub fn derivation_path(mut self, path: impl Into<String>) -> Self {
                self.filter = self.filter.derivation_path(path);
                self
            }

            /// Only builds tagged `name` = `value`; several tags must all match.
            pub fn tag(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.filter = self.filter.tag(name, value);
                self
            }

            /// Also builds in this status; several statuses match any of them.
            pub fn status(mut self, status: $crate::BuildStatus) -> Self {
                self.filter = self.filter.status(status);
                self
            }

            /// Also builds in these statuses.
            pub fn statuses(mut self, statuses: impl IntoIterator<Item = $crate::BuildStatus>) -> Self {
                self.filter = self.filter.statuses(statuses);
                self
            }

            /// At most `limit` builds, the newest (see [`BuildFilter::limit`](crate::BuildFilter::limit)).
            pub fn limit(mut self, limit: u64) -> Self {
                self.filter = self.filter.limit(limit);
                self
            }
        }
        filter_setters!($request, window);
    };
    ($request:ty, window) => {
        impl $request {
            /// Only builds created at or after `bound` (a `NaiveDate` or a `DateTime<Utc>`).
            pub fn created_from(mut self, bound: impl Into<$crate::TimeBound>) -> Self {
                self.filter = self.filter.created_from(bound);
                self
            }

            /// Only builds created before `bound` (exclusive).
            pub fn created_before(mut self, bound: impl Into<$crate::TimeBound>) -> Self {
                self.filter = self.filter.created_before(bound);
                self
            }
        }
    };
}

pub(crate) use filter_setters;
