"""The ranking a scenario asks for, completed from the scenario itself.

A ranking named without parameters takes what it needs from the rest of the scenario, so that
``--vary agent.ranking=neutral,sponsored,commission_weighted`` audits a market as it is
configured: ``sponsored`` sells its slots to the scenario's ``advertisers`` at their bids, and
``commission_weighted`` weighs the commission the AI platform earns from each merchant under
the scenario's fee models. Where the scenario has nothing to steer by (no advertiser, no
commission), it is refused with one line naming the missing piece: a steering ranking that
silently ranks like the neutral one would make an audit see no steering.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent_checkout.agent.ranking import Ranking, ranking_policy
from agent_checkout.fees.earnings import UnitEarnings, paying_models
from agent_checkout.fees.library import load_fee_model

if TYPE_CHECKING:
    from agent_checkout.sim.scenario import Scenario


def scenario_ranking(scenario: Scenario) -> Ranking:
    """``agent.ranking`` as a :class:`Ranking`, its missing parameters taken from the scenario.

    Raises ``ValueError`` with one line (the caller adds ``agent.ranking: ``).
    """
    name, params = scenario.agent.ranking.name, dict(scenario.agent.ranking.params)
    if name == "sponsored" and "sponsors" not in params and "bids" not in params:
        if "cpc" in params:
            raise ValueError(
                "ranking 'sponsored': cpc prices the clicks of the sponsors you name; give "
                "sponsors with it, or leave both out so the advertisers pay their own bids"
            )
        if not scenario.advertisers:
            raise ValueError(
                "ranking 'sponsored' has no sponsors: no merchant advertises; give "
                "advertisers: {<merchant id>: {cpc: <minor units per click>}} in the scenario, "
                "or agent.ranking.params.sponsors"
            )
        params["bids"] = {merchant: ad.cpc for merchant, ad in scenario.advertisers.items()}
    if name == "commission_weighted" and "rates_bps" not in params:
        params["commission"] = platform_commission(scenario)
    return ranking_policy(name, **params)


def platform_commission(scenario: Scenario) -> UnitEarnings:
    """What the AI platform earns on one unit from each merchant, under every fee model that
    prices the merchant's orders (the AI platform's and the merchant's own platform's).

    Raises ``ValueError`` if it earns nothing on a sale from any merchant."""
    ai = [load_fee_model(n) for n in scenario.fees.ai_platform]
    merchants = {
        p.id: (p.platform, ai + [load_fee_model(n) for n in p.fee_models])
        for p in scenario.merchant_profiles()
    }
    if not any(paying_models(models, platform) for platform, models in merchants.values()):
        raise ValueError(
            "ranking 'commission_weighted' has no commission to weigh: no fee model pays the AI "
            f"platform on a sale (fees.ai_platform: {', '.join(scenario.fees.ai_platform) or '[]'}"
            "); add a commission model (e.g. openai-instant-checkout) or give "
            "agent.ranking.params.rates_bps"
        )
    return UnitEarnings(merchants)
