from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from typing import cast



def _get_kwargs(
    *,
    nixbuildnet_oidc_id_token: str,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["NIXBUILDNET-OIDC-ID-TOKEN"] = nixbuildnet_oidc_id_token



    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/auth/oidc-token-exchange",
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | str | None:
    if response.status_code == 200:
        response_200 = response.text
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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    nixbuildnet_oidc_id_token: str,

) -> Response[ErrorBody | str]:
    """ Exchange a CI OIDC ID token

     Experimental. Exchanges the bearer token and a CI job's OIDC ID token for a short-lived token
    carrying the bearer token's rights and the ID token's claims as `jwt_claim(name, value)` facts.
    Earlier versions of the service answered a JSON string or `{"token": …}`; clients should accept
    those too.

    Args:
        nixbuildnet_oidc_id_token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | str]
     """


    kwargs = _get_kwargs(
        nixbuildnet_oidc_id_token=nixbuildnet_oidc_id_token,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    nixbuildnet_oidc_id_token: str,

) -> ErrorBody | str | None:
    """ Exchange a CI OIDC ID token

     Experimental. Exchanges the bearer token and a CI job's OIDC ID token for a short-lived token
    carrying the bearer token's rights and the ID token's claims as `jwt_claim(name, value)` facts.
    Earlier versions of the service answered a JSON string or `{"token": …}`; clients should accept
    those too.

    Args:
        nixbuildnet_oidc_id_token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | str
     """


    return sync_detailed(
        client=client,
nixbuildnet_oidc_id_token=nixbuildnet_oidc_id_token,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    nixbuildnet_oidc_id_token: str,

) -> Response[ErrorBody | str]:
    """ Exchange a CI OIDC ID token

     Experimental. Exchanges the bearer token and a CI job's OIDC ID token for a short-lived token
    carrying the bearer token's rights and the ID token's claims as `jwt_claim(name, value)` facts.
    Earlier versions of the service answered a JSON string or `{"token": …}`; clients should accept
    those too.

    Args:
        nixbuildnet_oidc_id_token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | str]
     """


    kwargs = _get_kwargs(
        nixbuildnet_oidc_id_token=nixbuildnet_oidc_id_token,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    nixbuildnet_oidc_id_token: str,

) -> ErrorBody | str | None:
    """ Exchange a CI OIDC ID token

     Experimental. Exchanges the bearer token and a CI job's OIDC ID token for a short-lived token
    carrying the bearer token's rights and the ID token's claims as `jwt_claim(name, value)` facts.
    Earlier versions of the service answered a JSON string or `{"token": …}`; clients should accept
    those too.

    Args:
        nixbuildnet_oidc_id_token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | str
     """


    return (await asyncio_detailed(
        client=client,
nixbuildnet_oidc_id_token=nixbuildnet_oidc_id_token,

    )).parsed
