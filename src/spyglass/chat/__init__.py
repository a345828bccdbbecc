"""`spyglass chat`: a terminal chatbot on a local or remote LLM, traced turn by turn with the Langfuse SDK.

Needs the `chat` extra (`pip install 'spyglass[chat]'`). It reaches the server only through the official Langfuse
SDK, exactly like any other instrumented application.
"""
