"""Regenerate emd_hyperspy.emd: an EMD 0.2 file written by HyperSpy itself.

Run with Debian's python3 (HyperSpy 1.7.3):  /usr/bin/python3 emd_hyperspy.py
The C test (tests/test_io_emd.c, file_written_by_hyperspy_1_7_3) reads it
back: a 7 x 5 float32 image, value 1000*iy + ix, x and y in Å with scale 0.25
and offsets -1 (x) and 2 (y).
"""
import os
import sys

import numpy as np
import hyperspy.api as hs

iy, ix = np.mgrid[0:5, 0:7]
s = hs.signals.Signal2D((1000 * iy + ix).astype(np.float32))
s.metadata.General.title = "pattern"
for axis, offset in zip(s.axes_manager.signal_axes, (-1.0, 2.0)):
    axis.scale = 0.25
    axis.offset = offset
    axis.units = "Å"
s.axes_manager.signal_axes[0].name = "x"
s.axes_manager.signal_axes[1].name = "y"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "emd_hyperspy.emd")
s.save(out, overwrite=True)
print("wrote", out, "with HyperSpy", hs.__version__, file=sys.stderr)
