"""EMQX HTTP hooks: `POST /api/v1/mqtt/auth` (may this client connect?) and `/mqtt/acl`.

Only the broker may ask: otherwise anyone reaching the API could test device secrets here
without the login rate limit. EMQX sends the shared `MEDMIND_MQTT_HOOK_TOKEN` in a header; a
request without it is refused, and without a configured token the hooks refuse everything, in
every environment. A refusal is a 4xx, which EMQX treats as "ignore", so the client is denied.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Header

from cloud.broker_auth.schemas import AclRequest, AuthRequest, HookDecision
from cloud.broker_auth.service import BrokerAuthService
from cloud.deps import DbSession
from cloud.errors import AuthenticationError, PermissionDeniedError
from cloud.mqtt.settings import MqttSettings

HOOK_TOKEN_HEADER = "X-MedMind-Hook-Token"

router = APIRouter(prefix="/mqtt", tags=["broker hooks"])


def broker_auth_service(
    db: DbSession,
    hook_token: Annotated[
        str | None, Header(alias=HOOK_TOKEN_HEADER, description="The broker's shared token.")
    ] = None,
) -> BrokerAuthService:
    """The service answering for the broker, once the caller has shown the broker's token."""
    mqtt = MqttSettings()
    if mqtt.hook_token is None:
        raise PermissionDeniedError(
            "broker hooks are disabled: set MEDMIND_MQTT_HOOK_TOKEN (and send it from EMQX)"
        )
    if hook_token is None or not hmac.compare_digest(
        hook_token.encode(), mqtt.hook_token.get_secret_value().encode()
    ):
        raise AuthenticationError(f"missing or wrong {HOOK_TOKEN_HEADER} header")
    return BrokerAuthService(db, mqtt)


BrokerAuth = Annotated[BrokerAuthService, Depends(broker_auth_service)]


@router.post("/auth", response_model=HookDecision)
def authenticate(request: AuthRequest, service: BrokerAuth) -> HookDecision:
    """EMQX authentication: a device with its own secret and client id, or the service account."""
    if service.is_service_login(request.username, request.password):
        return HookDecision(result="allow", is_superuser=True)
    allowed = service.authenticate_device(request.username, request.password, request.clientid)
    return HookDecision(result="allow" if allowed else "deny")


@router.post("/acl", response_model=HookDecision)
def authorize(request: AclRequest, service: BrokerAuth) -> HookDecision:
    """EMQX authorization: a device only below its own prefix (see `cloud.broker_auth.rules`)."""
    allowed = service.authorize(request.username, request.action, request.topic)
    return HookDecision(result="allow" if allowed else "deny")
