"""The test Blob service's check of a service shared access signature (a container or blob SAS, `sr=c` or
`sr=b`): the `sig` is computed again by the azure-storage-blob SDK's own code (`_BlobSharedAccessHelper
.add_resource_signature`, what `generate_container_sas` signs with) from the request's SAS fields, then the
validity times and the permission the operation needs are checked, as the service does."""
from __future__ import annotations

import datetime
import hmac

from azure.storage.blob._shared.shared_access_signature import QueryStringConstants as Q
from azure.storage.blob._shared_access_signature import BlobQueryStringConstants, _BlobSharedAccessHelper

from azure_blob_operations import BlobError

# The signed fields of a service SAS, as the SDK reads them when it signs.
SIGNED_FIELDS = [Q.SIGNED_START, Q.SIGNED_EXPIRY, Q.SIGNED_PERMISSION, Q.SIGNED_IP, Q.SIGNED_PROTOCOL, Q.SIGNED_VERSION,
                 Q.SIGNED_RESOURCE, Q.SIGNED_IDENTIFIER, Q.SIGNED_ENCRYPTION_SCOPE, BlobQueryStringConstants.SIGNED_TIMESTAMP,
                 Q.SIGNED_CACHE_CONTROL, Q.SIGNED_CONTENT_DISPOSITION, Q.SIGNED_CONTENT_ENCODING,
                 Q.SIGNED_CONTENT_LANGUAGE, Q.SIGNED_CONTENT_TYPE]
# The permission each operation needs; a container SAS may neither create nor inspect its container.
PERMISSION = {"put_blob": "w", "put_block": "w", "put_block_list": "w", "get_blob": "r", "get_blob_properties": "r",
              "delete_blob": "d", "list_blobs": "l"}
NOT_AUTHENTICATED = "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature."


def is_sas(query: dict[str, str]) -> bool:
    return Q.SIGNED_SIGNATURE in query


def sdk_signature(account: str, key: str, resource_path: str, query: dict[str, str]) -> str:
    helper = _BlobSharedAccessHelper()
    for name in SIGNED_FIELDS:
        helper._add_query(name, query.get(name))
    helper.add_resource_signature(account, key, resource_path)
    return helper.query_dict[Q.SIGNED_SIGNATURE]


def parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def check(account: str, key: str, op: str, container: str, blob: str | None, query: dict[str, str], now: float) -> None:
    """Raises the service's 403 for a SAS that does not allow `op` on `container`/`blob` at `now`."""
    resource = query.get(Q.SIGNED_RESOURCE)
    if resource not in ("c", "b") or (resource == "b" and blob is None):
        raise BlobError(403, "AuthenticationFailed", NOT_AUTHENTICATED, "Signed resource is not a container or blob.")
    path = f"/{container}" if resource == "c" else f"/{container}/{blob}"
    given = query.get(Q.SIGNED_SIGNATURE, "")
    if not hmac.compare_digest(given.encode(), sdk_signature(account, key, path, query).encode()):
        raise BlobError(403, "AuthenticationFailed", NOT_AUTHENTICATED,
                        "Signature did not match. String to sign used was not shown by this test service.")
    moment = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
    if Q.SIGNED_START in query and moment < parse_time(query[Q.SIGNED_START]):
        raise BlobError(403, "AuthenticationFailed", NOT_AUTHENTICATED, "Signed start time is in the future.")
    if Q.SIGNED_EXPIRY not in query or moment > parse_time(query[Q.SIGNED_EXPIRY]):
        raise BlobError(403, "AuthenticationFailed", NOT_AUTHENTICATED, "Signed expiry time has passed.")
    needed = PERMISSION.get(op)
    if needed is None:
        raise BlobError(403, "AuthorizationFailure", "This request is not authorized to perform this operation.")
    if needed not in query.get(Q.SIGNED_PERMISSION, ""):
        raise BlobError(403, "AuthorizationPermissionMismatch",
                        "This request is not authorized to perform this operation using this permission.")
