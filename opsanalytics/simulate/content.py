"""R11 CONTENT: marketing texts to review, and traps beside them that must not be flagged.

Each goes from Acme on 36180 to a fresh number of the injected family, at 10:00 on a weekday
of the period's first quarter, five minutes apart, and is compliant with every other rule (a
STOP mention, a declared sender, inside the window): only its words make it a case. Placed
after the background traffic, drawing nothing, so no other message moves.

The quiz holds cases by design: its "Dommage... répondez A, B ou C" (background) and the
two-part final question of an R5 scenario ask for a paid reply and say nothing of its cost
(`cost_not_disclosed`), on every message of those texts.
"""

from __future__ import annotations

from collections import Counter

from opsanalytics.simulate.clock import epoch_at
from opsanalytics.simulate.contract import RETRY_MINUTES
from opsanalytics.simulate.gateway import MT
from opsanalytics.simulate.numbers import e164
from opsanalytics.simulate.plan import Plan
from opsanalytics.simulate.truth import logical_groups

#: (scenario, text, OAdC, reasons the checks must give: none for a trap)
CASES = (
    ("R11 adult", "ACME : soirée coquine, -20% sur la lingerie ce soir. STOP au 36180", "36180", ("adult",)),
    ("R11 free claim priced", "ACME : jeu gratuit ! Participation 0,50€ par SMS. STOP au 36180", "36180",
     ("free_claim_priced",)),
    ("R11 brand not named", "Soldes : -30% sur tout le magasin ce week-end. STOP au 36180", "36180",
     ("brand_not_named",)),
    ("R11 interpersonal tone", "Coucou ! -20% pour toi chez ACME ce week-end. STOP au 36180", "36180",
     ("interpersonal_tone",)),
    ("R11 cost not disclosed", "ACME : répondez OUI pour recevoir votre bon de -10%. STOP au 36180", "36180",
     ("cost_not_disclosed",)),
    ("R11 trap free delivery", "ACME : livraison gratuite dès 50€ d'achat. STOP au 36180", "36180", ()),
    ("R11 trap cost disclosed", "ACME : répondez OUI (prix d'un SMS) pour votre bon de -10%. STOP au 36180",
     "36180", ()),
    ("R11 trap brand in sender", "Soldes : -30% sur tout le magasin ce week-end. STOP au 36180", "ACME", ()),
    ("R11 trap reply STOP", "ACME : -15% ce soir sur tout le site. Répondez STOP au 36180", "36180", ()),
)
#: the quiz texts (their beginnings) that ask for a paid reply without its cost
QUIZ_UNPRICED = ("Dommage... Le JEU continue", "Quiz : voici la question finale")


def inject_content(plan: Plan) -> bool:
    """Place the cases; False when the period has no weekday for them."""
    days = plan.weekdays()
    if not days:
        return False
    day = days[len(days) // 4]
    for k, (tag, text, oadc, _) in enumerate(CASES):
        to = plan.injected.next()
        plan.place(MT(t=epoch_at(day, 10, 5 * k), service="acme", code="36180", oadc=oadc, to_raw=to,
                      msisdn=e164(to), text=text, tag=tag), background=False)
    return True


def truth(plan: Plan) -> dict[str, object]:
    """Messages per reason the checks must flag: the injected cases (one message each) and
    the quiz messages of the unpriced texts that the platform accepted, as the rulebook
    counts messages (a message in parts is one; so is a quiz question that failed and was
    resent to its number within the retry delay: logical_groups)."""
    reasons: Counter[str] = Counter()
    cases = {tag: flagged for tag, _, _, flagged in CASES}
    for group in logical_groups(plan.mts, RETRY_MINUTES, plan.blackouts):
        if not any(m.outcome == "accepted" for m in group):
            continue
        m = group[0]  # (a resend has its text, service and number)
        if m.tag in cases:
            reasons.update(cases[m.tag])
        elif m.service == "quiz" and m.full_text.startswith(QUIZ_UNPRICED):
            reasons["cost_not_disclosed"] += 1
    # only the cases placed: a period with no working weekday holds none (inject_content)
    placed = {m.tag for m in plan.mts}
    return {"messages_by_reason": dict(sorted(reasons.items())),
            "cases": [{"scenario": tag, "reasons": list(flagged)} for tag, _, _, flagged in CASES
                      if tag in placed]}
