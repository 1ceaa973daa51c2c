"""The cloud's voice endpoint: transcripts or WAV uploads run through the shared understanding."""
