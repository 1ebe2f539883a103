import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))




def pytest_sessionfinish(session, exitstatus):
    session.config._spark_amm_status = int(exitstatus)


def pytest_unconfigure(config):
    """Leaves the process without a JVM shutdown, once pytest has reported. JPype shuts the JVM
    down during interpreter exit; after Spark had run in it, a Spark thread still in compiled code
    crashed the process in about half the runs (SIGSEGV in a Java thread, seen in dmesg), turning a
    green run red. The JVM holds nothing that needs flushing, so the process exits with pytest's
    own status."""
    import os
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(getattr(config, "_spark_amm_status", 0))
