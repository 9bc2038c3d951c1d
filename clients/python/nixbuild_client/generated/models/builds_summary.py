from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="BuildsSummary")



@_attrs_define
class BuildsSummary:
    """ Aggregates over the builds a filter selects (`GET /builds/summary`).

    The first six fields are the ones the official nixbuild.net GitHub Action reads. The
    others are newer or less documented: they may be absent.

        Attributes:
            build_count (int): Every selected build.
            successful_build_count (int): Builds with status `built`.
            failed_build_count (int): Finished builds that did not succeed and were not discarded.
            discarded_build_count (int): Builds whose result was discarded because they were restarted (the Action's
                "Restarted builds").
            billable_cpu_seconds (int): CPU seconds billed: those of builds neither discarded nor failed by the service.
            total_output_nar_size_kilobytes (int): The total NAR size of all outputs, in kilobytes (1024 bytes), rounded up.
            running_build_count (int | None | Unset): Builds still pending or running.
            total_cpu_seconds (int | None | Unset): CPU seconds of every selected build, billed or not.
            total_duration_seconds (float | None | Unset): The sum of the builds' durations, in seconds.
            wall_time_seconds (float | None | Unset): Seconds from the earliest start to the latest finish among the builds.
     """

    build_count: int
    successful_build_count: int
    failed_build_count: int
    discarded_build_count: int
    billable_cpu_seconds: int
    total_output_nar_size_kilobytes: int
    running_build_count: int | None | Unset = UNSET
    total_cpu_seconds: int | None | Unset = UNSET
    total_duration_seconds: float | None | Unset = UNSET
    wall_time_seconds: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        build_count = self.build_count

        successful_build_count = self.successful_build_count

        failed_build_count = self.failed_build_count

        discarded_build_count = self.discarded_build_count

        billable_cpu_seconds = self.billable_cpu_seconds

        total_output_nar_size_kilobytes = self.total_output_nar_size_kilobytes

        running_build_count: int | None | Unset
        if isinstance(self.running_build_count, Unset):
            running_build_count = UNSET
        else:
            running_build_count = self.running_build_count

        total_cpu_seconds: int | None | Unset
        if isinstance(self.total_cpu_seconds, Unset):
            total_cpu_seconds = UNSET
        else:
            total_cpu_seconds = self.total_cpu_seconds

        total_duration_seconds: float | None | Unset
        if isinstance(self.total_duration_seconds, Unset):
            total_duration_seconds = UNSET
        else:
            total_duration_seconds = self.total_duration_seconds

        wall_time_seconds: float | None | Unset
        if isinstance(self.wall_time_seconds, Unset):
            wall_time_seconds = UNSET
        else:
            wall_time_seconds = self.wall_time_seconds


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "build_count": build_count,
            "successful_build_count": successful_build_count,
            "failed_build_count": failed_build_count,
            "discarded_build_count": discarded_build_count,
            "billable_cpu_seconds": billable_cpu_seconds,
            "total_output_nar_size_kilobytes": total_output_nar_size_kilobytes,
        })
        if running_build_count is not UNSET:
            field_dict["running_build_count"] = running_build_count
        if total_cpu_seconds is not UNSET:
            field_dict["total_cpu_seconds"] = total_cpu_seconds
        if total_duration_seconds is not UNSET:
            field_dict["total_duration_seconds"] = total_duration_seconds
        if wall_time_seconds is not UNSET:
            field_dict["wall_time_seconds"] = wall_time_seconds

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        build_count = d.pop("build_count")

        successful_build_count = d.pop("successful_build_count")

        failed_build_count = d.pop("failed_build_count")

        discarded_build_count = d.pop("discarded_build_count")

        billable_cpu_seconds = d.pop("billable_cpu_seconds")

        total_output_nar_size_kilobytes = d.pop("total_output_nar_size_kilobytes")

        def _parse_running_build_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        running_build_count = _parse_running_build_count(d.pop("running_build_count", UNSET))


        def _parse_total_cpu_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        total_cpu_seconds = _parse_total_cpu_seconds(d.pop("total_cpu_seconds", UNSET))


        def _parse_total_duration_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        total_duration_seconds = _parse_total_duration_seconds(d.pop("total_duration_seconds", UNSET))


        def _parse_wall_time_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        wall_time_seconds = _parse_wall_time_seconds(d.pop("wall_time_seconds", UNSET))


        builds_summary = cls(
            build_count=build_count,
            successful_build_count=successful_build_count,
            failed_build_count=failed_build_count,
            discarded_build_count=discarded_build_count,
            billable_cpu_seconds=billable_cpu_seconds,
            total_output_nar_size_kilobytes=total_output_nar_size_kilobytes,
            running_build_count=running_build_count,
            total_cpu_seconds=total_cpu_seconds,
            total_duration_seconds=total_duration_seconds,
            wall_time_seconds=wall_time_seconds,
        )


        builds_summary.additional_properties = d
        return builds_summary

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
