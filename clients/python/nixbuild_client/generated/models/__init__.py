""" Contains all the data models used in inputs/outputs """

from .build import Build
from .build_tags import BuildTags
from .builds_summary import BuildsSummary
from .error_body import ErrorBody
from .known_build_status import KnownBuildStatus
from .output import Output
from .process import Process
from .usage import Usage

__all__ = (
    "Build",
    "BuildsSummary",
    "BuildTags",
    "ErrorBody",
    "KnownBuildStatus",
    "Output",
    "Process",
    "Usage",
)
