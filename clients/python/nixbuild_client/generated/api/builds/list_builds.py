from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.build import Build
from ...models.error_body import ErrorBody
from ...models.known_build_status import KnownBuildStatus
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    derivation_path: str | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    status: list[KnownBuildStatus] | Unset = UNSET,
    create_time_from: datetime.date | datetime.datetime | Unset = UNSET,
    create_time_to: datetime.date | datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["derivation_path"] = derivation_path

    json_tags: list[str] | Unset = UNSET
    if not isinstance(tags, Unset):
        json_tags = tags


    params["tags"] = json_tags

    json_status: list[str] | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = []
        for status_item_data in status:
            status_item = status_item_data.value
            json_status.append(status_item)


    params["status"] = json_status

    json_create_time_from: str | Unset
    if isinstance(create_time_from, Unset):
        json_create_time_from = UNSET
    elif isinstance(create_time_from, datetime.date):
        json_create_time_from = create_time_from.isoformat()
    else:
        json_create_time_from = create_time_from.isoformat()

    params["create_time_from"] = json_create_time_from

    json_create_time_to: str | Unset
    if isinstance(create_time_to, Unset):
        json_create_time_to = UNSET
    elif isinstance(create_time_to, datetime.date):
        json_create_time_to = create_time_to.isoformat()
    else:
        json_create_time_to = create_time_to.isoformat()

    params["create_time_to"] = json_create_time_to

    params["limit"] = limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/builds",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | list[Build] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            response_200_item = Build.from_dict(response_200_item_data)



            response_200.append(response_200_item)

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())



        return response_403

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())



        return response_429

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | list[Build]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    derivation_path: str | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    status: list[KnownBuildStatus] | Unset = UNSET,
    create_time_from: datetime.date | datetime.datetime | Unset = UNSET,
    create_time_to: datetime.date | datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> Response[ErrorBody | list[Build]]:
    """ List builds

     The builds that pass every filter, newest first (by `create_time`, then `build_id`, descending).
    Without filters, every build of the account.

    Args:
        derivation_path (str | Unset):
        tags (list[str] | Unset):
        status (list[KnownBuildStatus] | Unset):
        create_time_from (datetime.date | datetime.datetime | Unset):
        create_time_to (datetime.date | datetime.datetime | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | list[Build]]
     """


    kwargs = _get_kwargs(
        derivation_path=derivation_path,
tags=tags,
status=status,
create_time_from=create_time_from,
create_time_to=create_time_to,
limit=limit,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    derivation_path: str | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    status: list[KnownBuildStatus] | Unset = UNSET,
    create_time_from: datetime.date | datetime.datetime | Unset = UNSET,
    create_time_to: datetime.date | datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> ErrorBody | list[Build] | None:
    """ List builds

     The builds that pass every filter, newest first (by `create_time`, then `build_id`, descending).
    Without filters, every build of the account.

    Args:
        derivation_path (str | Unset):
        tags (list[str] | Unset):
        status (list[KnownBuildStatus] | Unset):
        create_time_from (datetime.date | datetime.datetime | Unset):
        create_time_to (datetime.date | datetime.datetime | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | list[Build]
     """


    return sync_detailed(
        client=client,
derivation_path=derivation_path,
tags=tags,
status=status,
create_time_from=create_time_from,
create_time_to=create_time_to,
limit=limit,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    derivation_path: str | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    status: list[KnownBuildStatus] | Unset = UNSET,
    create_time_from: datetime.date | datetime.datetime | Unset = UNSET,
    create_time_to: datetime.date | datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> Response[ErrorBody | list[Build]]:
    """ List builds

     The builds that pass every filter, newest first (by `create_time`, then `build_id`, descending).
    Without filters, every build of the account.

    Args:
        derivation_path (str | Unset):
        tags (list[str] | Unset):
        status (list[KnownBuildStatus] | Unset):
        create_time_from (datetime.date | datetime.datetime | Unset):
        create_time_to (datetime.date | datetime.datetime | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | list[Build]]
     """


    kwargs = _get_kwargs(
        derivation_path=derivation_path,
tags=tags,
status=status,
create_time_from=create_time_from,
create_time_to=create_time_to,
limit=limit,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    derivation_path: str | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    status: list[KnownBuildStatus] | Unset = UNSET,
    create_time_from: datetime.date | datetime.datetime | Unset = UNSET,
    create_time_to: datetime.date | datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> ErrorBody | list[Build] | None:
    """ List builds

     The builds that pass every filter, newest first (by `create_time`, then `build_id`, descending).
    Without filters, every build of the account.

    Args:
        derivation_path (str | Unset):
        tags (list[str] | Unset):
        status (list[KnownBuildStatus] | Unset):
        create_time_from (datetime.date | datetime.datetime | Unset):
        create_time_to (datetime.date | datetime.datetime | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | list[Build]
     """


    return (await asyncio_detailed(
        client=client,
derivation_path=derivation_path,
tags=tags,
status=status,
create_time_from=create_time_from,
create_time_to=create_time_to,
limit=limit,

    )).parsed
