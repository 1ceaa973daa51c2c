"""EMQX HTTP hooks: `POST /api/v1/mqtt/auth` (may this client connect?) and `/mqtt/acl`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from cloud.broker_auth.schemas import AclRequest, AuthRequest, HookDecision
from cloud.broker_auth.service import BrokerAuthService
from cloud.deps import DbSession
from cloud.mqtt.settings import MqttSettings

router = APIRouter(prefix="/mqtt", tags=["broker hooks"])


def broker_auth_service(db: DbSession) -> BrokerAuthService:
    """The service answering for the broker, with the cloud's service account settings."""
    return BrokerAuthService(db, MqttSettings())


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
