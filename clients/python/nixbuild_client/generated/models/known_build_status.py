from enum import StrEnum

class KnownBuildStatus(StrEnum):
    BUILD_FAILED = "build_failed"
    BUILT = "built"
    CANCELLED = "cancelled"
    CLIENT_DISCONNECT = "client_disconnect"
    CLIENT_ERROR = "client_error"
    INTERNAL_ERROR = "internal_error"
    MAX_MEMORY_EXCEEDED = "max_memory_exceeded"
    OUT_OF_MEMORY = "out_of_memory"
    PENDING = "pending"
    RUNNING = "running"
    TIMEOUT = "timeout"

    def __str__(self) -> str:
        return str(self.value)
