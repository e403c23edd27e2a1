"""govsim: simulation and policy evaluation for grassroots social governance (基层社会治理).

An agent-based model (Mesa) of residents, grid workers, governance centres and departments, with a
discrete-event queue (SimPy) for incidents around the closed loop 巡查→上报→流转→处置→反馈, to compare
the levers of the "four focuses" (四个着力) on resolution time, backlog, overdue and escalation, and cost.
Start with ``govsim.runner.simulate`` or the ``govsim`` command; see README.md.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("govsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
