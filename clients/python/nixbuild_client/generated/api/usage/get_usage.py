from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.usage import Usage
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    create_time_from: datetime.date | datetime.datetime | Unset = UNSET,
    create_time_to: datetime.date | datetime.datetime | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

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


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/usage",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | Usage | None:
    if response.status_code == 200:
        response_200 = Usage.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | Usage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    create_time_from: datetime.date | datetime.datetime | Unset = UNSET,
    create_time_to: datetime.date | datetime.datetime | Unset = UNSET,

) -> Response[ErrorBody | Usage]:
    """ Get billing usage

     The CPU seconds and builds the account is billed for, over the builds created in the given window
    (all builds without one): those `getBuildsSummary` counts as billable.

    Args:
        create_time_from (datetime.date | datetime.datetime | Unset):
        create_time_to (datetime.date | datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Usage]
     """


    kwargs = _get_kwargs(
        create_time_from=create_time_from,
create_time_to=create_time_to,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    create_time_from: datetime.date | datetime.datetime | Unset = UNSET,
    create_time_to: datetime.date | datetime.datetime | Unset = UNSET,

) -> ErrorBody | Usage | None:
    """ Get billing usage

     The CPU seconds and builds the account is billed for, over the builds created in the given window
    (all builds without one): those `getBuildsSummary` counts as billable.

    Args:
        create_time_from (datetime.date | datetime.datetime | Unset):
        create_time_to (datetime.date | datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Usage
     """


    return sync_detailed(
        client=client,
create_time_from=create_time_from,
create_time_to=create_time_to,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    create_time_from: datetime.date | datetime.datetime | Unset = UNSET,
    create_time_to: datetime.date | datetime.datetime | Unset = UNSET,

) -> Response[ErrorBody | Usage]:
    """ Get billing usage

     The CPU seconds and builds the account is billed for, over the builds created in the given window
    (all builds without one): those `getBuildsSummary` counts as billable.

    Args:
        create_time_from (datetime.date | datetime.datetime | Unset):
        create_time_to (datetime.date | datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Usage]
     """


    kwargs = _get_kwargs(
        create_time_from=create_time_from,
create_time_to=create_time_to,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    create_time_from: datetime.date | datetime.datetime | Unset = UNSET,
    create_time_to: datetime.date | datetime.datetime | Unset = UNSET,

) -> ErrorBody | Usage | None:
    """ Get billing usage

     The CPU seconds and builds the account is billed for, over the builds created in the given window
    (all builds without one): those `getBuildsSummary` counts as billable.

    Args:
        create_time_from (datetime.date | datetime.datetime | Unset):
        create_time_to (datetime.date | datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Usage
     """


    return (await asyncio_detailed(
        client=client,
create_time_from=create_time_from,
create_time_to=create_time_to,

    )).parsed
