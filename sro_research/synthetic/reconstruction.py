"""A respondent-level reconstruction of the 2017 survey that reproduces every published figure.

The district's raw survey data is not public. So the package ships synthetic respondents built to
match exactly what the press printed (data/published/engagement_2017_press.csv), after the rounding
the press used (whole percents). Everything the press did not print is illustrative: chosen here to
be plausible, not measured. data/engagement/reconstruction_2017.yaml says which.

The published figures are met by construction (exact counts, not sampling), so every seed meets
them; the seed only decides which synthetic respondent gets which answer.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pandas as pd

from sro_research.analysis.engagement_stats import percent_as_published
from sro_research.readers.engagement_export import shipped_responses_path
from sro_research.readers.word_lists import load_names

SEED = 2017  # the seed of the shipped file
COLUMNS = ["respondent_id", "data_status", "role", "race_ethnicity", "site",
           "sro_agree", "sro_time", "scenario", "reasons", "comment"]

# ---- published (data/published/engagement_2017_press.csv)
# Students: the Star Tribune printed "almost 7,000", Alpha News "over 7,000"; both cannot hold.
# We take "almost 7,000" (the Star Tribune, the larger paper, which also gave "almost half") and
# choose 6,950. Staff 700 and parents 600 were printed by both.
RESPONDENTS = {"student": 6950, "staff": 700, "parent": 600, "community": 150}
AGREE_AFRICAN_AMERICAN = {"student": 69, "parent": 65}  # % agreeing, Alpha News
STUDENTS_WANTING_LESS_TIME = 47  # "almost half", Star Tribune: we read it as 47%

# ---- illustrative (not published; chosen to be consistent with the published figures)
AGREE = {"student": 74, "staff": 83, "parent": 72, "community": 66}  # each >= 72 where published
LESS_TIME = {"staff": 22, "parent": 38, "community": 45}
RACE_COUNTS = {  # respondents by race/ethnicity; None = not answered
    "student": {"african_american": 2600, "white": 2100, "hispanic_latino": 1100, "asian_american": 500,
                "american_indian": 250, "multiracial": 300, None: 100},
    "staff": {"african_american": 120, "white": 480, "hispanic_latino": 40, "asian_american": 25,
              "american_indian": 8, "multiracial": 12, None: 15},
    "parent": {"african_american": 160, "white": 300, "hispanic_latino": 70, "asian_american": 30,
               "american_indian": 9, "multiracial": 16, None: 15},
    "community": {"african_american": 40, "white": 80, "hispanic_latino": 12, "asian_american": 6,
                  "american_indian": 4, "multiracial": 5, None: 3},
}
STOP_BEFORE = {"sro_agree": 0.010, "sro_time": 0.010, "scenario": 0.015}  # partial responses
STRONGLY = 0.45  # share of agreers who strongly agree, and of disagreers (0.40) who strongly disagree
STRONGLY_DISAGREE = 0.40
LESS_AMONG_DISAGREERS = 0.90
MORE_AMONG_OTHER_AGREERS = 0.15
SCENARIO_GIVEN_AGREE = {True: {"maintain_modify": 0.55, "reduce_support": 0.35, "eliminate": 0.10},
                        False: {"maintain_modify": 0.04, "reduce_support": 0.36, "eliminate": 0.60}}
# Reason shares among those who answered. Only the order of the published ones is published.
REASONS_GIVEN_AGREE = {True: {"general_safety": 0.68, "relationships": 0.42, "emergency_response": 0.37,
                              "deterrence": 0.22},
                       False: {"unnecessary": 0.52, "intimidating": 0.44, "school_to_prison": 0.31,
                               "prefer_supports": 0.27}}
SKIP_REASONS = 0.08
COMMENT_RATE = 0.05
SITES = [f"SITE-{i:02d}" for i in range(1, 13)]  # illustrative site codes, not real schools

COMMENTS = {  # illustrative comments, written for this package
    True: [
        "I feel safer knowing an officer is in the building.",
        "Our SRO knows the students by name and builds trust with them.",
        "When a fight breaks out we need someone who can respond right away.",
        "Keep the officers but give them more training in de-escalation and restorative practices.",
        "The SRO helps keep weapons out of our school.",
        "Students need to see police as people they can trust.",
        "Officers should only be called for serious threats, not for discipline.",
    ],
    False: [
        "Police in the hallways make many students feel intimidated.",
        "SROs are unnecessary; we have staff who can handle conflicts.",
        "Black students are treated differently by police and it feels like profiling.",
        "Spend the money on counselors, social workers and mental health support instead.",
        "Having officers in school feeds the school-to-prison pipeline.",
        "I am scared when I see a uniform and a gun at school.",
        "Fewer officers, but more support for restorative practices and counselors.",
    ],
}
# Fake personal information, so the scrubber is exercised. The phone numbers use the fictional
# 555-01xx range, the emails the reserved example.org domain, the ids are made up.
COMMENTS_WITH_PERSONAL_INFO = [
    "Please follow up with me at parent.contact@example.org about the safety meeting.",
    "Call me at 612-555-0143 if you want to talk about what happened at my son's school.",
    "My student ID is 20417386 and I was stopped by the officer twice this year.",
    "{first} in the front office calls the SRO first, even for small things.",
    "Officer {last} has been great with my daughter {first2}. Reach me at (612) 555-0178.",
    "I am scared of the SRO. Email J.Doe@Example.org or text 6125550199, ID 483920.",
]

FAKE_NAMES = {"first": "Jamal", "first2": "Amina", "last": "Olson"}  # must be in data/engagement/names.txt


def reconstruct_2017(seed: int = SEED) -> pd.DataFrame:
    """Synthetic respondents, one row each, in codebook columns, sorted by respondent id."""
    rng = np.random.default_rng(seed)
    names = load_names()
    missing = [n for n in FAKE_NAMES.values() if n not in names]
    if missing:
        raise ValueError(f"the names list lacks {missing}, which the reconstruction's comments use")
    frames = [_role(role, n, rng) for role, n in RESPONDENTS.items()]
    data = pd.concat(frames, ignore_index=True)
    data = data.iloc[rng.permutation(len(data))].reset_index(drop=True)
    data["comment"] = _comments(data, rng)
    data = data.drop(columns=["stage", "agrees"])  # working columns, not survey items
    data.insert(0, "respondent_id", [f"RECON-{i:06d}" for i in range(1, len(data) + 1)])
    data.insert(1, "data_status", "reconstruction")
    return data[COLUMNS]


def count_for_percent(percent: int, n: int) -> int:
    """A count k <= n whose share k/n rounds (half up, to a whole percent) to `percent`."""
    k = int(round(percent / 100 * n))
    for candidate in (k, k - 1, k + 1):
        if 0 <= candidate <= n and percent_as_published(candidate, n) == percent:
            return candidate
    raise ValueError(f"no count out of {n} rounds to {percent}%")


def _split(total: int, weights: dict) -> dict:
    """Split `total` across keys in proportion to weights, largest remainder first (exact sum)."""
    keys = list(weights)
    raw = np.array([weights[k] for k in keys], dtype=float)
    raw = raw / raw.sum() * total if raw.sum() else raw
    base = np.floor(raw).astype(int)
    order = np.argsort(-(raw - base), kind="stable")
    for i in order[: total - base.sum()]:
        base[i] += 1
    return dict(zip(keys, base.tolist()))


def _pick(rng, index: np.ndarray, k: int) -> np.ndarray:
    return rng.permutation(index)[:k] if k else index[:0]


def _role(role: str, n: int, rng) -> pd.DataFrame:
    races = [race for race, count in RACE_COUNTS[role].items() for _ in range(count)]
    assert len(races) == n, f"race counts for {role} do not add up to {n}"
    df = pd.DataFrame({"role": role, "race_ethnicity": rng.permutation(np.array(races, dtype=object))})
    df["site"] = None if role == "community" else [SITES[i] for i in rng.integers(0, len(SITES), n)]

    # Partial responses: respondents stop part-way, so later questions have fewer answers.
    stage = np.full(n, 3)  # 3 = reached the scenario question
    cut = 0
    for stop, item in enumerate(STOP_BEFORE):
        m = int(round(STOP_BEFORE[item] * n))
        stage[cut:cut + m] = stop
        cut += m
    stage = rng.permutation(stage)
    df["stage"] = stage

    # Agreement: exact counts per race group so the published shares hold after rounding.
    answered = df.index[stage >= 1]
    total_agree = count_for_percent(AGREE[role], len(answered))
    agree = pd.Series(False, index=df.index)
    race_key = df["race_ethnicity"].fillna("~none")
    fixed = AGREE_AFRICAN_AMERICAN.get(role)
    rest_weights = {}
    for race, idx in race_key.loc[answered].groupby(race_key.loc[answered]).groups.items():
        idx = np.asarray(idx)
        if fixed is not None and race == "african_american":
            agree.loc[_pick(rng, idx, count_for_percent(fixed, len(idx)))] = True
        else:
            rest_weights[race] = idx
    remaining = total_agree - int(agree.sum())
    for race, k in _split(remaining, {r: len(i) for r, i in rest_weights.items()}).items():
        agree.loc[_pick(rng, rest_weights[race], k)] = True

    sro_agree = pd.Series(None, index=df.index, dtype=object)
    for is_agree, (strong, weak, share) in {True: ("strongly_agree", "agree", STRONGLY),
                                            False: ("strongly_disagree", "disagree", STRONGLY_DISAGREE)}.items():
        idx = answered[(agree.loc[answered] == is_agree).to_numpy()].to_numpy()
        strong_idx = _pick(rng, idx, int(round(share * len(idx))))
        sro_agree.loc[idx] = weak
        sro_agree.loc[strong_idx] = strong
    df["sro_agree"] = sro_agree

    # Wanted SRO time: most disagreers want less; the rest of "less" comes from agreers.
    time_idx = df.index[stage >= 2]
    less_target = (count_for_percent(STUDENTS_WANTING_LESS_TIME, len(time_idx)) if role == "student"
                   else int(round(LESS_TIME[role] / 100 * len(time_idx))))
    dis = time_idx[~agree.loc[time_idx].to_numpy()].to_numpy()
    agr = time_idx[agree.loc[time_idx].to_numpy()].to_numpy()
    less_dis = _pick(rng, dis, min(len(dis), int(round(LESS_AMONG_DISAGREERS * len(dis))), less_target))
    less_agr = _pick(rng, agr, less_target - len(less_dis))
    sro_time = pd.Series(None, index=df.index, dtype=object)
    sro_time.loc[time_idx] = "same"
    other_agr = np.setdiff1d(agr, less_agr)
    sro_time.loc[_pick(rng, other_agr, int(round(MORE_AMONG_OTHER_AGREERS * len(other_agr))))] = "more"
    sro_time.loc[less_dis] = "less"
    sro_time.loc[less_agr] = "less"
    df["sro_time"] = sro_time

    # Scenario and reasons, by whether the respondent agreed.
    scenario = pd.Series(None, index=df.index, dtype=object)
    reasons = pd.Series(None, index=df.index, dtype=object)
    scen_idx = df.index[stage >= 3]
    for is_agree in (True, False):
        idx = scen_idx[(agree.loc[scen_idx] == is_agree).to_numpy()].to_numpy()
        shuffled = rng.permutation(idx)
        start = 0
        for code, k in _split(len(idx), SCENARIO_GIVEN_AGREE[is_agree]).items():
            scenario.loc[shuffled[start:start + k]] = code
            start += k
        answering = _pick(rng, idx, len(idx) - int(round(SKIP_REASONS * len(idx))))
        chosen = {i: [] for i in answering}
        for code, share in REASONS_GIVEN_AGREE[is_agree].items():
            for i in _pick(rng, answering, int(round(share * len(answering)))):
                chosen[i].append(code)
        order = list(REASONS_GIVEN_AGREE[is_agree])
        for i, codes in chosen.items():
            if codes:
                reasons.loc[i] = ";".join(sorted(codes, key=order.index))
    df["scenario"] = scenario
    df["reasons"] = reasons
    df["agrees"] = agree
    return df


def _comments(data: pd.DataFrame, rng) -> pd.Series:
    """Illustrative comments for 5% of complete respondents, a few with fake personal information."""
    complete = data.index[(data["stage"] >= 3).to_numpy()].to_numpy()
    writers = np.sort(_pick(rng, complete, int(round(COMMENT_RATE * len(complete)))))
    comments = pd.Series(None, index=data.index, dtype=object)
    for i in writers:
        options = COMMENTS[bool(data.at[i, "agrees"])]
        comments.at[i] = options[int(rng.integers(0, len(options)))]
    for i, text in zip(writers[:: max(1, len(writers) // len(COMMENTS_WITH_PERSONAL_INFO))],
                       COMMENTS_WITH_PERSONAL_INFO):
        comments.at[i] = text.format(**FAKE_NAMES)
    return comments


def shipped_path() -> Path:
    """Where the reconstruction is shipped: the file `readers.engagement.read_responses(None)` reads."""
    return shipped_responses_path()


def to_csv_bytes(data: pd.DataFrame) -> bytes:
    """The exact bytes of the shipped file: UTF-8, '\\n' line ends, empty cell = no answer."""
    return data.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_reconstruction(path: str | os.PathLike | None = None, seed: int = SEED) -> Path:
    path = Path(path) if path else shipped_path()
    path.write_bytes(to_csv_bytes(reconstruct_2017(seed)))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Regenerate the shipped 2017 engagement reconstruction.")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", default=None, help="default: data/engagement/engagement_2017_reconstruction.csv")
    args = parser.parse_args(argv)
    print(write_reconstruction(args.out, args.seed))


if __name__ == "__main__":
    main()
