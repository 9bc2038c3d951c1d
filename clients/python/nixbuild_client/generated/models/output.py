from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="Output")



@_attrs_define
class Output:
    """ One output path a successful build produced.

        Attributes:
            name (str): The output's name, such as `out`, `dev` or `doc`.
            path (str): The store path, `/nix/store/<hash>-<name>`.
            nar_hash (str): The hash of the output's NAR serialisation, as an SRI string (`sha256-<base64>`).
            nar_size_bytes (int): The size of the output's NAR serialisation, in bytes.
     """

    name: str
    path: str
    nar_hash: str
    nar_size_bytes: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        path = self.path

        nar_hash = self.nar_hash

        nar_size_bytes = self.nar_size_bytes


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "name": name,
            "path": path,
            "nar_hash": nar_hash,
            "nar_size_bytes": nar_size_bytes,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        path = d.pop("path")

        nar_hash = d.pop("nar_hash")

        nar_size_bytes = d.pop("nar_size_bytes")

        output = cls(
            name=name,
            path=path,
            nar_hash=nar_hash,
            nar_size_bytes=nar_size_bytes,
        )


        output.additional_properties = d
        return output

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
