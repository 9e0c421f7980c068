import signal
import threading

from django.core.management.base import BaseCommand

from ventanilla.mail.lmtp import lmtp_controller


class Command(BaseCommand):
    help = "Listen for LMTP deliveries from an MTA and receive every message into intake."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)

    def handle(self, *args, **options):
        controller = lmtp_controller(options["host"], options["port"])
        controller.start()
        self.stdout.write(f"LMTP listening on {options['host']}:{options['port']}")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
