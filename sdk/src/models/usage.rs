//! [`Usage`]: what `GET /usage` answers, the CPU seconds and builds an account is billed for.

use serde::{Deserialize, Serialize};

/// Billing usage (`GET /usage`): what the account is billed for in the requested period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usage {
    /// CPU seconds the account is billed for.
    pub billable_cpu_seconds: u64,
    /// The number of builds the account is billed for.
    pub billable_build_count: u64,
}

impl Usage {
    /// Usage of `billable_cpu_seconds` over `billable_build_count` builds.
    pub fn new(billable_cpu_seconds: u64, billable_build_count: u64) -> Usage {
        Usage {
            billable_cpu_seconds,
            billable_build_count,
        }
    }
}
