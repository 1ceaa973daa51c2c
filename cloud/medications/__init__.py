"""A patient's medications and their stock."""
