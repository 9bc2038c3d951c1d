from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="Usage")



@_attrs_define
class Usage:
    """ Billing usage (`GET /usage`): what the account is billed for in the requested period.

        Attributes:
            billable_cpu_seconds (int): CPU seconds the account is billed for.
            billable_build_count (int): The number of builds the account is billed for.
     """

    billable_cpu_seconds: int
    billable_build_count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        billable_cpu_seconds = self.billable_cpu_seconds

        billable_build_count = self.billable_build_count


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "billable_cpu_seconds": billable_cpu_seconds,
            "billable_build_count": billable_build_count,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        billable_cpu_seconds = d.pop("billable_cpu_seconds")

        billable_build_count = d.pop("billable_build_count")

        usage = cls(
            billable_cpu_seconds=billable_cpu_seconds,
            billable_build_count=billable_build_count,
        )


        usage.additional_properties = d
        return usage

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
