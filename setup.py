"""Build hook: compile the gettext catalogs (.po → .mo) into the built package.

Everything else about the package is in pyproject.toml. An editable install skips this step;
siaran.i18n then compiles the .po in memory when it starts.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in Path("src/siaran/i18n/locale").glob("*/LC_MESSAGES/siaran.po"):
            target = Path(self.build_lib) / "siaran" / po.relative_to("src/siaran").with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source, target.open("wb") as out:
                write_mo(out, read_po(source))


setup(cmdclass={"build_py": BuildPyWithCatalogs})
