"""One mapping module per FHIR resource type: MedMind rows in, FHIR JSON out."""
