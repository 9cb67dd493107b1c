"""The simulated MSP as ConnectWise PSA knows it (members, companies, agreements, projects, tickets,
time), derived from the timeline and the payroll budget; see ``PsaModel``.

Split by what each module derives: ``catalog`` (static setup and shape), ``roster`` (members and
cost rates), ``accounts`` (companies, agreements, additions, projects), ``work`` (tickets, time).
"""

from sandbox.simulation.psa.model import PsaModel

__all__ = ["PsaModel"]
