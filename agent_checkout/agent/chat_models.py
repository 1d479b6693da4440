"""Chat models named by a ``"provider:model"`` string, as a scenario's ``agent.model`` names one.

A provider registered here (:func:`register_chat_model`) builds its own models: tests register a
fake one, so a scenario with ``agent.policy: llm`` runs offline. Any other string goes to
LangChain's ``init_chat_model`` (the ``llm`` extra, plus the provider's package, e.g.
``agent-checkout[llm-openai]``), imported only then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

#: provider -> a function from the model part of the string to a chat model.
ChatModelFactory = Callable[[str], "BaseChatModel"]
_PROVIDERS: dict[str, ChatModelFactory] = {}


def register_chat_model(provider: str, factory: ChatModelFactory) -> None:
    """Build ``"<provider>:<name>"`` models with ``factory(name)`` instead of init_chat_model."""
    _PROVIDERS[provider] = factory


def unregister_chat_model(provider: str) -> None:
    _PROVIDERS.pop(provider, None)


def registered(spec: str) -> ChatModelFactory | None:
    """The registered factory for ``spec``'s provider, if one is."""
    provider, colon, _ = spec.partition(":")
    return _PROVIDERS.get(provider) if colon else None


def chat_model_for(spec: str) -> BaseChatModel | str:
    """A registered provider's model for ``spec``, else ``spec`` itself, for
    :class:`~agent_checkout.agent.llm_policy.LLMPolicy` to build (and price by that name)."""
    factory = registered(spec)
    return factory(spec.partition(":")[2]) if factory is not None else spec
