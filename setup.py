"""Only the optional compiled accelerator; everything else is in pyproject.toml.

setuptools hands the .pyx to Cython (a build requirement). ``optional=True``: where the
extension cannot be built (no C compiler) the build skips it with a warning and the
package installs all the same; ``protocols/mapping/text.py`` then runs its pure-Python
path, which gives the same results.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("protocols.mapping._scan", ["protocols/mapping/_scan.pyx"], optional=True)
    ]
)
