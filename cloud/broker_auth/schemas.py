"""Request and answer shapes of EMQX's HTTP authentication and authorization hooks."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cloud.broker_auth.rules import Action


class AuthRequest(BaseModel):
    """What EMQX sends when a client connects (its body template in docker-compose.yml)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"username": "pi-0001", "password": "secret", "clientid": "pi-0001"}]
        }
    )

    username: str = Field(default="", max_length=200)
    password: str = Field(default="", max_length=500)
    clientid: str = Field(default="", max_length=200)


class AclRequest(BaseModel):
    """What EMQX sends before a client publishes or subscribes."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "pi-0001",
                    "clientid": "pi-0001",
                    "topic": "medmind/v1/devices/pi-0001/up/dose_event",
                    "action": "publish",
                }
            ]
        }
    )

    username: str = Field(default="", max_length=200)
    clientid: str = Field(default="", max_length=200)
    topic: str = Field(max_length=1000)
    action: Action


class HookDecision(BaseModel):
    """EMQX's expected answer: allow, deny or ignore (and superuser for the cloud account)."""

    result: Literal["allow", "deny", "ignore"]
    is_superuser: bool = False
