"""Start the desktop: `no1window-desk [--server URL] [--smoke]`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QSettings, Qt, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop.api.client import ApiClient, normalize_server_url
from desktop.api.connection import ConnectionMonitor
from desktop.api.tasks import TaskRunner
from desktop.login import LoginDialog
from desktop.main_window import MainWindow
from desktop.preferences import Preferences

ORGANIZATION = "no1window"
APPLICATION = "no1window-desk"
DISPLAY_NAME = "盐城保险业“1号窗口”"
# In order of preference: Windows' own UI font for Chinese, then Noto (Linux test machines).
QT_TRANSLATION = "qtbase_zh_CN"
CHINESE_FONTS = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
)

log = logging.getLogger(__name__)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog=APPLICATION, description=DISPLAY_NAME + " 窗口端")
    parser.add_argument("--server", help="服务器地址, 例如 https://no1window.example.cn (默认: 上次登录的地址)")
    parser.add_argument("--smoke", action="store_true", help="创建主窗口后立即退出 (检查安装包能否启动)")
    return parser.parse_args(list(argv))


def choose_chinese_font(families: Sequence[str]) -> str | None:
    """The first preferred Chinese font installed, else any Simplified Chinese one, else None."""
    installed = set(families)
    for family in CHINESE_FONTS:
        if family in installed:
            return family
    return next((f for f in families if f.endswith(" SC")), families[0] if families else None)


def apply_chinese_font(app: QApplication) -> None:
    """Make Chinese text render with a proper CJK font rather than a fallback patchwork (or boxes)."""
    family = choose_chinese_font(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))
    if family is None:
        log.warning("no Simplified Chinese font installed")
        return
    font = QFont(app.font())
    font.setFamilies([family, *font.families()])
    app.setFont(font)


def install_qt_translation(app: QApplication) -> QTranslator | None:
    """Qt's own words in Simplified Chinese: the file dialogs, a text box's 复制/粘贴 menu, any standard button.

    Our message boxes make their buttons with Chinese text (`desktop.boxes`);
    this covers what Qt writes itself. Without the file the app still runs,
    in English there, so a missing translation is a warning, not a failure.
    """
    translator = QTranslator(app)
    if not translator.load(QT_TRANSLATION, QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        log.warning("Qt's Chinese translation (%s) not found: Qt's own dialogs stay in English", QT_TRANSLATION)
        translator.deleteLater()
        return None
    app.installTranslator(translator)
    return translator


def create_application(argv: Sequence[str]) -> QApplication:
    """The QApplication, configured (or the existing one, e.g. under pytest-qt)."""
    existing = QApplication.instance()
    if existing is None:
        # Qt 6 scales for high DPI by itself; pass fractional factors (150 %) through instead of rounding.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        QCoreApplication.setOrganizationName(ORGANIZATION)
        QCoreApplication.setApplicationName(APPLICATION)
        app = QApplication([sys.argv[0] if sys.argv else APPLICATION, *argv])
    else:
        assert isinstance(existing, QApplication)
        app = existing
    app.setApplicationDisplayName(DISPLAY_NAME)
    apply_chinese_font(app)
    install_qt_translation(app)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the desktop; returns the exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request at INFO: a feed poll every 25 s is noise, not news.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = create_application([])
    prefs = Preferences(QSettings())
    server = args.server or prefs.server_url
    try:
        server = normalize_server_url(server)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.server:
        prefs.server_url = server
    api = ApiClient(server)
    runner = TaskRunner(ConnectionMonitor())
    window = MainWindow(api, runner, prefs)
    try:
        if args.smoke:
            return run_smoke(app, window)
        login = LoginDialog(api, runner, prefs)
        login.logged_in.connect(window.start_session)
        login.logged_in.connect(lambda _session: window.show())
        login.rejected.connect(app.quit)
        login.show()
        return app.exec()
    finally:
        runner.shutdown()
        api.close()


def run_smoke(app: QApplication, window: MainWindow) -> int:
    """Show the main window, let the event loop run once, close: proves a build starts and quits cleanly."""
    window.show()
    app.processEvents()
    QTimer.singleShot(0, window.close)
    QTimer.singleShot(0, app.quit)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
