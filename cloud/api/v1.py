"""Every router of the v1 API, mounted under `/api/v1` by `cloud.app.create_app`.

A part adds its router by appending it to `V1_ROUTERS` here (one import, one line).
"""

from __future__ import annotations

from fastapi import APIRouter

from cloud.alerts.router import router as alerts_router
from cloud.analytics.router import router as stock_router
from cloud.api.errors import ERROR_RESPONSES
from cloud.audit.router import router as access_log_router
from cloud.broker_auth.router import router as broker_hooks_router
from cloud.conversations.router import router as conversations_router
from cloud.devices.device_api import router as device_api_router
from cloud.devices.router import router as devices_router
from cloud.doses.router import router as doses_router
from cloud.insights.router import router as insights_router
from cloud.invitations.router import router as invitations_router
from cloud.medications.router import router as medications_router
from cloud.notifications.delivery_router import router as deliveries_router
from cloud.notifications.feed_router import router as notifications_router
from cloud.patients.router import router as patients_router
from cloud.plans.router import router as plans_router
from cloud.questions.router import router as questions_router
from cloud.reports.archive_router import router as reports_archive_router
from cloud.reports.router import router as reports_router
from cloud.summaries.router import router as summaries_router
from cloud.symptoms.router import router as symptoms_router
from cloud.users.auth_router import router as auth_router
from cloud.users.router import router as users_router
from cloud.voice.router import router as voice_router

V1_ROUTERS: list[APIRouter] = [
    auth_router,
    users_router,
    patients_router,
    invitations_router,
    access_log_router,
    devices_router,
    device_api_router,
    voice_router,
    medications_router,
    stock_router,
    plans_router,
    doses_router,
    symptoms_router,
    questions_router,
    conversations_router,
    alerts_router,
    deliveries_router,
    notifications_router,
    summaries_router,
    insights_router,
    reports_archive_router,
    reports_router,
    broker_hooks_router,
]


def v1_router() -> APIRouter:
    """One router holding every v1 route, each documenting the one error shape."""
    api = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
    for router in V1_ROUTERS:
        api.include_router(router)
    return api
