"""API shapes of medications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Quantity = Annotated[float, Field(ge=0, le=1_000_000)]


class MedicationCode(BaseModel):
    """A code of the medication in a code system (e.g. RxNorm), kept exactly as given."""

    model_config = ConfigDict(extra="forbid")

    system: Annotated[
        str,
        Field(
            min_length=1,
            max_length=255,
            pattern=r"^\S+$",
            description="The code system's URI.",
            examples=["http://www.nlm.nih.gov/research/umls/rxnorm"],
        ),
    ]
    code: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S+( \S+)*$")]
    display: Annotated[str, Field(max_length=255)] | None = None


Codes = Annotated[list[MedicationCode], Field(max_length=10)]


class MedicationIn(BaseModel):
    """A medication the patient has; stock fields let the cloud predict refills."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Metformin",
                    "strength": "500 mg",
                    "form": "tablet",
                    "quantity_dispensed": 60,
                    "quantity_per_dose": 1,
                    "low_stock_days": 5,
                }
            ]
        },
    )

    name: Annotated[str, Field(min_length=1, max_length=120)]
    strength: Annotated[str, Field(max_length=60)] | None = None
    form: Annotated[str, Field(max_length=60)] | None = None
    instructions: Annotated[str, Field(max_length=500)] = ""
    active: bool = True
    quantity_dispensed: Quantity | None = None
    dispensed_at: datetime | None = None
    quantity_per_dose: Annotated[float, Field(gt=0, le=1000)] = 1.0
    low_stock_days: Annotated[int, Field(ge=0, le=365)] | None = None
    codes: Codes = Field(default_factory=list)


class MedicationUpdate(BaseModel):
    """Fields to change (omitted fields stay)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    strength: Annotated[str, Field(max_length=60)] | None = None
    form: Annotated[str, Field(max_length=60)] | None = None
    instructions: Annotated[str, Field(max_length=500)] | None = None
    active: bool | None = None
    quantity_dispensed: Quantity | None = None
    dispensed_at: datetime | None = None
    quantity_per_dose: Annotated[float, Field(gt=0, le=1000)] | None = None
    low_stock_days: Annotated[int, Field(ge=0, le=365)] | None = None
    codes: Codes | None = None


class MedicationOut(BaseModel):
    """A medication."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    name: str
    strength: str | None
    form: str | None
    instructions: str
    active: bool
    quantity_dispensed: float | None
    dispensed_at: datetime | None
    quantity_per_dose: float
    low_stock_days: int | None
    codes: list[MedicationCode]
    created_at: datetime
    updated_at: datetime
