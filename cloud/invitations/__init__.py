"""Invitations to a patient's care team, sent by email and accepted once."""
