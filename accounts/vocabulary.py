"""The words a workspace's pages use for what it assesses: a consultancy's *clients*, a
company's own *business units*. A company assessing itself never reads "client".

Templates get them as `words` (accounts.context_processors.workspaces): `{{ words.clients }}`,
`{{ words.Client }}` at the start of a sentence.
"""

from dataclasses import dataclass

from accounts.models import Workspace


@dataclass(frozen=True)
class Words:
    client: str
    clients: str

    # Capitalised, for the start of a sentence: {{ words.Client }}.
    @property
    def Client(self) -> str:
        return self.client[0].upper() + self.client[1:]

    @property
    def Clients(self) -> str:
        return self.clients[0].upper() + self.clients[1:]


CONSULTANCY_WORDS = Words(client="client", clients="clients")
COMPANY_WORDS = Words(client="business unit", clients="business units")


def words_for(workspace: Workspace | None) -> Words:
    return COMPANY_WORDS if workspace is not None and workspace.is_company else CONSULTANCY_WORDS
