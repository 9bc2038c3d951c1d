from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.process import Process
from typing import cast



def _get_kwargs(
    *,
    body: list[Process],
    nixbuildnet_oidc_id_token: str,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["NIXBUILDNET-OIDC-ID-TOKEN"] = nixbuildnet_oidc_id_token



    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/processes",
    }

    _kwargs["json"] = []
    for body_item_data in body:
        body_item = body_item_data.to_dict()
        _kwargs["json"].append(body_item)



    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | ErrorBody | None:
    if response.status_code == 200:
        response_200 = response.json()
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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: list[Process],
    nixbuildnet_oidc_id_token: str,

) -> Response[Any | ErrorBody]:
    """ Schedule asynchronous builds

     Experimental. Schedules the given processes. Needs the `build:write` right and the CI job's OIDC ID
    token. Not idempotent: never retry it blindly.

    Args:
        nixbuildnet_oidc_id_token (str):
        body (list[Process]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody]
     """


    kwargs = _get_kwargs(
        body=body,
nixbuildnet_oidc_id_token=nixbuildnet_oidc_id_token,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    body: list[Process],
    nixbuildnet_oidc_id_token: str,

) -> Any | ErrorBody | None:
    """ Schedule asynchronous builds

     Experimental. Schedules the given processes. Needs the `build:write` right and the CI job's OIDC ID
    token. Not idempotent: never retry it blindly.

    Args:
        nixbuildnet_oidc_id_token (str):
        body (list[Process]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody
     """


    return sync_detailed(
        client=client,
body=body,
nixbuildnet_oidc_id_token=nixbuildnet_oidc_id_token,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: list[Process],
    nixbuildnet_oidc_id_token: str,

) -> Response[Any | ErrorBody]:
    """ Schedule asynchronous builds

     Experimental. Schedules the given processes. Needs the `build:write` right and the CI job's OIDC ID
    token. Not idempotent: never retry it blindly.

    Args:
        nixbuildnet_oidc_id_token (str):
        body (list[Process]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody]
     """


    kwargs = _get_kwargs(
        body=body,
nixbuildnet_oidc_id_token=nixbuildnet_oidc_id_token,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: list[Process],
    nixbuildnet_oidc_id_token: str,

) -> Any | ErrorBody | None:
    """ Schedule asynchronous builds

     Experimental. Schedules the given processes. Needs the `build:write` right and the CI job's OIDC ID
    token. Not idempotent: never retry it blindly.

    Args:
        nixbuildnet_oidc_id_token (str):
        body (list[Process]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody
     """


    return (await asyncio_detailed(
        client=client,
body=body,
nixbuildnet_oidc_id_token=nixbuildnet_oidc_id_token,

    )).parsed
