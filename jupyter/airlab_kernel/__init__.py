"""airlab's Jupyter kernel for MicroPython boards (virtual or real) over a serial port."""
