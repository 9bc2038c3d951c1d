from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.known_build_status import KnownBuildStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.build_tags import BuildTags
  from ..models.output import Output





T = TypeVar("T", bound="Build")



@_attrs_define
class Build:
    """ One build, as an element of `GET /builds`.

    The service adds fields over time: a reader must ignore those it does not know. `tags`,
    `restart_of_build_id` and `restarted_as_build_id` are absent from older responses, and
    the restart links are left out rather than null when there is none. Older documentation
    calls `status` `build_status`; this crate reads either and writes `status`.

        Attributes:
            build_id (int): The identifier nixbuild.net gives a build (`build_id`); a 64-bit integer on the wire.
            create_time (datetime.datetime): When the build was created (asked for).
            start_time (datetime.datetime | None): When a builder started it; null while pending.
            queue_time_seconds (float | None): Seconds between creation and start; null while pending.
            duration_seconds (float | None): Seconds from start to finish; null until finished.
            status (KnownBuildStatus | str): The state of a build. The service may add statuses: a client must accept any
                string here, and should treat one it does not know as a finished build that neither succeeded nor failed in a
                known way. The known values are `KnownBuildStatus`.
            status_message (None | str): A human-readable detail of the status: `""` when built, `"ssh session closed"`, ….
            cpu_count (int): CPUs allocated to the build.
            allocated_megabytes (int): Memory allocated to the build, in megabytes.
            cpu_seconds (int): CPU seconds the build used.
            peak_memory_use_kilobytes (int | None): The build's peak memory use, in kilobytes; null when not measured.
            peak_storage_use_kilobytes (int | None): The build's peak storage use, in kilobytes; null when not measured.
            derivation_path (str): The derivation built: `/nix/store/<hash>-<name>.drv`.
            outputs (list[Output]): The outputs produced; empty unless the build succeeded.
            system (str): The Nix system the build ran for, such as `x86_64-linux`.
            tags (BuildTags | Unset): The tags the client attached to the build (`GITHUB_RUN_ID`, …).
            restart_of_build_id (int | None | Unset):
            restarted_as_build_id (int | None | Unset):
     """

    build_id: int
    create_time: datetime.datetime
    start_time: datetime.datetime | None
    queue_time_seconds: float | None
    duration_seconds: float | None
    status: KnownBuildStatus | str
    status_message: None | str
    cpu_count: int
    allocated_megabytes: int
    cpu_seconds: int
    peak_memory_use_kilobytes: int | None
    peak_storage_use_kilobytes: int | None
    derivation_path: str
    outputs: list[Output]
    system: str
    tags: BuildTags | Unset = UNSET
    restart_of_build_id: int | None | Unset = UNSET
    restarted_as_build_id: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.build_tags import BuildTags # noqa: PLC0415
        from ..models.output import Output # noqa: PLC0415
        build_id = self.build_id

        create_time = self.create_time.isoformat()

        start_time: None | str
        if isinstance(self.start_time, datetime.datetime):
            start_time = self.start_time.isoformat()
        else:
            start_time = self.start_time

        queue_time_seconds: float | None
        queue_time_seconds = self.queue_time_seconds

        duration_seconds: float | None
        duration_seconds = self.duration_seconds

        status: str
        if isinstance(self.status, KnownBuildStatus):
            status = self.status.value
        else:
            status = self.status

        status_message: None | str
        status_message = self.status_message

        cpu_count = self.cpu_count

        allocated_megabytes = self.allocated_megabytes

        cpu_seconds = self.cpu_seconds

        peak_memory_use_kilobytes: int | None
        peak_memory_use_kilobytes = self.peak_memory_use_kilobytes

        peak_storage_use_kilobytes: int | None
        peak_storage_use_kilobytes = self.peak_storage_use_kilobytes

        derivation_path = self.derivation_path

        outputs = []
        for outputs_item_data in self.outputs:
            outputs_item = outputs_item_data.to_dict()
            outputs.append(outputs_item)



        system = self.system

        tags: dict[str, Any] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags.to_dict()

        restart_of_build_id: int | None | Unset
        if isinstance(self.restart_of_build_id, Unset):
            restart_of_build_id = UNSET
        else:
            restart_of_build_id = self.restart_of_build_id

        restarted_as_build_id: int | None | Unset
        if isinstance(self.restarted_as_build_id, Unset):
            restarted_as_build_id = UNSET
        else:
            restarted_as_build_id = self.restarted_as_build_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "build_id": build_id,
            "create_time": create_time,
            "start_time": start_time,
            "queue_time_seconds": queue_time_seconds,
            "duration_seconds": duration_seconds,
            "status": status,
            "status_message": status_message,
            "cpu_count": cpu_count,
            "allocated_megabytes": allocated_megabytes,
            "cpu_seconds": cpu_seconds,
            "peak_memory_use_kilobytes": peak_memory_use_kilobytes,
            "peak_storage_use_kilobytes": peak_storage_use_kilobytes,
            "derivation_path": derivation_path,
            "outputs": outputs,
            "system": system,
        })
        if tags is not UNSET:
            field_dict["tags"] = tags
        if restart_of_build_id is not UNSET:
            field_dict["restart_of_build_id"] = restart_of_build_id
        if restarted_as_build_id is not UNSET:
            field_dict["restarted_as_build_id"] = restarted_as_build_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.build_tags import BuildTags # noqa: PLC0415
        from ..models.output import Output # noqa: PLC0415
        d = dict(src_dict)
        build_id = d.pop("build_id")

        create_time = datetime.datetime.fromisoformat(d.pop("create_time"))




        def _parse_start_time(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_time_type_0 = datetime.datetime.fromisoformat(data)



                return start_time_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        start_time = _parse_start_time(d.pop("start_time"))


        def _parse_queue_time_seconds(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        queue_time_seconds = _parse_queue_time_seconds(d.pop("queue_time_seconds"))


        def _parse_duration_seconds(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        duration_seconds = _parse_duration_seconds(d.pop("duration_seconds"))


        def _parse_status(data: object) -> KnownBuildStatus | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_build_status_type_0 = KnownBuildStatus(data)



                return componentsschemas_build_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(KnownBuildStatus | str, data)

        status = _parse_status(d.pop("status"))


        def _parse_status_message(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        status_message = _parse_status_message(d.pop("status_message"))


        cpu_count = d.pop("cpu_count")

        allocated_megabytes = d.pop("allocated_megabytes")

        cpu_seconds = d.pop("cpu_seconds")

        def _parse_peak_memory_use_kilobytes(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        peak_memory_use_kilobytes = _parse_peak_memory_use_kilobytes(d.pop("peak_memory_use_kilobytes"))


        def _parse_peak_storage_use_kilobytes(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        peak_storage_use_kilobytes = _parse_peak_storage_use_kilobytes(d.pop("peak_storage_use_kilobytes"))


        derivation_path = d.pop("derivation_path")

        outputs = []
        _outputs = d.pop("outputs")
        for outputs_item_data in (_outputs):
            outputs_item = Output.from_dict(outputs_item_data)



            outputs.append(outputs_item)


        system = d.pop("system")

        _tags = d.pop("tags", UNSET)
        tags: BuildTags | Unset
        if isinstance(_tags,  Unset):
            tags = UNSET
        else:
            tags = BuildTags.from_dict(_tags)




        def _parse_restart_of_build_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        restart_of_build_id = _parse_restart_of_build_id(d.pop("restart_of_build_id", UNSET))


        def _parse_restarted_as_build_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        restarted_as_build_id = _parse_restarted_as_build_id(d.pop("restarted_as_build_id", UNSET))


        build = cls(
            build_id=build_id,
            create_time=create_time,
            start_time=start_time,
            queue_time_seconds=queue_time_seconds,
            duration_seconds=duration_seconds,
            status=status,
            status_message=status_message,
            cpu_count=cpu_count,
            allocated_megabytes=allocated_megabytes,
            cpu_seconds=cpu_seconds,
            peak_memory_use_kilobytes=peak_memory_use_kilobytes,
            peak_storage_use_kilobytes=peak_storage_use_kilobytes,
            derivation_path=derivation_path,
            outputs=outputs,
            system=system,
            tags=tags,
            restart_of_build_id=restart_of_build_id,
            restarted_as_build_id=restarted_as_build_id,
        )


        build.additional_properties = d
        return build

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
