"""The MedMind contract: wire models, topics, enums and schedule expansion.

Pure Python with no I/O. Both the device (`edge_agent`) and the cloud (`cloud`) import it;
they never import each other.
"""
