"""The device's voice: microphone and end-pointing, speech-to-text, the llama.cpp runner, dialogs.

Heavy libraries (pocketsphinx, vosk, llama_cpp, webrtcvad) are imported by the modules that use
them, so importing this package stays cheap.
"""
