"""`python3 -m airlab_kernel -f CONNECTION_FILE`: what the kernelspec runs."""

from ipykernel.kernelapp import IPKernelApp

from .kernel import MicroPythonKernel

IPKernelApp.launch_instance(kernel_class=MicroPythonKernel)
