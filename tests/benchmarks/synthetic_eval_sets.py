"""Generated evaluation sets in the real file formats (MedQA test jsonl, MedMCQA dev JSON Lines, PubMedQA
ori_pqal.json + test_ground_truth.json), and training files that carry some of their items the way real
contamination looks: copies, a line break moved, a reworded option, British spelling, question and options on one
line of a dialogue, the question alone, a vignette quoted with small edits, an abstract under another PMID.

    >>> gen = EvalSetGenerator(seed=0)
    >>> evals = gen.write_eval(Path("eval"), medqa=1273, medmcqa=4183, pubmedqa=1000)
    >>> planted = gen.write_training(Path("train"), evals)    # [(case, record id prefix, item id), ...]

Nothing here is real benchmark data: questions are built from templates and word lists written for these tests,
with the shapes that matter: MedMCQA's short questions and recurring stems, a few line breaks inside a question,
generic options; MedQA's long vignettes with shared boilerplate; PubMedQA's abstracts in sections.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.split(",") if w.strip()]


DISEASES = _words("""tuberculosis, malaria, typhoid, leprosy, syphilis, gout, sarcoidosis, amyloidosis,
hemochromatosis, Wilson disease, pheochromocytoma, acromegaly, Cushing syndrome, Addison disease, Graves disease,
myasthenia gravis, multiple sclerosis, Parkinson disease, migraine, psoriasis, pemphigus vulgaris, lichen planus,
rheumatoid arthritis, ankylosing spondylitis, systemic lupus erythematosus, scleroderma, Kawasaki disease,
rheumatic fever, infective endocarditis, aortic stenosis, mitral stenosis, tetralogy of Fallot, chronic myeloid
leukemia, Hodgkin lymphoma, multiple myeloma, sickle cell anemia, thalassemia, hemophilia, pernicious anemia,
nephrotic syndrome, polycystic kidney disease, ulcerative colitis, Crohn disease, celiac disease, achalasia cardia,
Hirschsprung disease, pyloric stenosis, intussusception, acute pancreatitis, hepatitis B, retinoblastoma, glaucoma,
keratoconus, otosclerosis, Meniere disease, tetanus, diphtheria, pertussis, measles, rabies, cholera,
leptospirosis, brucellosis, histoplasmosis, giardiasis, leukemoid reaction, carcinoid tumor, esophageal varices""")
DRUGS = _words("""metformin, insulin, glibenclamide, propranolol, atenolol, amlodipine, enalapril, losartan,
furosemide, spironolactone, digoxin, amiodarone, warfarin, heparin, aspirin, clopidogrel, atorvastatin,
rifampicin, isoniazid, pyrazinamide, ethambutol, chloroquine, artesunate, primaquine, penicillin, ceftriaxone,
vancomycin, gentamicin, ciprofloxacin, doxycycline, metronidazole, fluconazole, amphotericin B, acyclovir,
zidovudine, lithium, haloperidol, clozapine, fluoxetine, phenytoin, carbamazepine, valproate, ethosuximide,
levodopa, neostigmine, atropine, adrenaline, salbutamol, theophylline, prednisolone, methotrexate,
cyclophosphamide, vincristine, cisplatin, tamoxifen, allopurinol, colchicine, omeprazole, ondansetron,
misoprostol, oxytocin, magnesium sulphate, thiopentone, ketamine, succinylcholine, lignocaine""")
ORGANISMS = _words("""Staphylococcus aureus, Streptococcus pyogenes, pneumococcus, meningococcus, gonococcus,
Clostridium tetani, Clostridium perfringens, Corynebacterium diphtheriae, Mycobacterium leprae, Salmonella typhi,
Shigella, Vibrio cholerae, Helicobacter pylori, Pseudomonas, Klebsiella, Escherichia coli, Treponema pallidum,
Leptospira, Chlamydia trachomatis, Plasmodium falciparum, Entamoeba histolytica, Giardia lamblia, Ascaris,
hookworm, Taenia solium, Echinococcus""")
STRUCTURES = _words("""liver, spleen, kidney, pancreas, stomach, duodenum, jejunum, ileum, caecum, appendix,
colon, rectum, esophagus, thyroid, parathyroid, adrenal gland, pituitary, hypothalamus, thalamus, cerebellum,
medulla, pons, hippocampus, lung, heart, aorta, femur, tibia, humerus, radius, scaphoid, talus, mandible""")
FINDINGS = _words("""fever, headache, vomiting, diarrhea, abdominal pain, chest pain, shortness of breath, cough,
hemoptysis, jaundice, pallor, weight loss, night sweats, joint pain, a rash, itching, leg edema, ascites,
seizures, confusion, weakness, fatigue, palpitations, fainting, hoarseness, difficulty swallowing, polyuria,
blood in the urine, back pain, blurred vision""")
VITAMINS = _words("vitamin A, vitamin B1, vitamin B12, vitamin C, vitamin D, vitamin K, folic acid, niacin, zinc")
NERVES = _words("median nerve, ulnar nerve, radial nerve, axillary nerve, facial nerve, vagus nerve, phrenic nerve")
GENERIC = ["All of the above", "None of the above", "Both A and B"]
BRITISH = {
    "anemia": "anaemia",
    "leukemia": "leukaemia",
    "leukemoid": "leukaemoid",
    "edema": "oedema",
    "esophag": "oesophag",
    "tumor": "tumour",
    "diarrhea": "diarrhoea",
    "hemoptysis": "haemoptysis",
    "hemo": "haemo",
}
# (question template, option category). {d} disease, {x} drug, {o} organism, {s} structure, {v} vitamin, {n} nerve
MEDMCQA_STEMS = [
    ("Drug of choice for {d} is", DRUGS),
    ("Most common site of {d} is", STRUCTURES),
    ("{x} is contraindicated in", DISEASES),
    ("All of the following are true about {d} except", "statements"),
    ("All of the following are true except", "statements"),
    ("Which of the following is not a feature of {d}?", FINDINGS),
    ("Which of the following is a feature of {d}?", FINDINGS),
    ("{o} causes", DISEASES),
    ("Deficiency of {v} causes", DISEASES),
    ("Nerve supply of the {s} is by the", NERVES),
    ("Mechanism of action of {x} is", "mechanisms"),
    ("Which of the following is true", "statements"),
    ("Treatment of choice for {d} in pregnancy is", DRUGS),
    ("{x} toxicity presents with", FINDINGS),
    ("Investigation of choice for {d} is", "investigations"),
    ("Causative organism of {d} is", ORGANISMS),
    ("A child with {f} and {f2} most likely has", DISEASES),
]
MECHANISMS = _words("""inhibition of cell wall synthesis, inhibition of protein synthesis, DNA gyrase inhibition,
beta adrenergic blockade, calcium channel blockade, sodium channel blockade, proton pump inhibition,
cyclooxygenase inhibition, dopamine receptor blockade, folate antagonism""")
INVESTIGATIONS = _words("""CT scan, MRI, ultrasound, biopsy, serum ferritin, blood culture, chest X-ray,
echocardiography, endoscopy, barium swallow, bone marrow aspiration, lumbar puncture""")


@dataclass
class EvalFiles:
    medqa: Path
    medmcqa: Path
    pubmedqa: Path
    ground_truth: Path
    medqa_rows: list[dict] = field(default_factory=list)
    medmcqa_rows: list[dict] = field(default_factory=list)
    pubmedqa_items: dict[str, dict] = field(default_factory=dict)


class EvalSetGenerator:
    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)

    # --- MedMCQA -------------------------------------------------------------------------------------------

    def medmcqa_row(self, i: int) -> dict:
        template, pool = self.rng.choice(MEDMCQA_STEMS)
        fill = {"d": self.rng.choice(DISEASES), "x": self.rng.choice(DRUGS), "o": self.rng.choice(ORGANISMS)}
        fill.update(s=self.rng.choice(STRUCTURES), v=self.rng.choice(VITAMINS), n=self.rng.choice(NERVES))
        fill.update(f=self.rng.choice(FINDINGS), f2=self.rng.choice(FINDINGS))
        question = template.format(**fill)
        if self.rng.random() < 0.03:  # a line break inside the question, as in the real dev file
            words = question.split()
            cut = self.rng.randrange(1, len(words))
            question = " ".join(words[:cut]) + "\n" + " ".join(words[cut:])
        if self.rng.random() < 0.3:
            question += self.rng.choice([" -", ":", "?", ""])
        options = self._options(pool, fill)
        return {
            "id": f"{self.rng.getrandbits(128):032x}"[:8] + f"-{i:05d}",
            "question": question,
            "exp": self.rng.choice(["", f"Ref: textbook chapter {self.rng.randint(1, 60)}."]),
            "cop": self.rng.randint(1, 4),
            "opa": options[0],
            "opb": options[1],
            "opc": options[2],
            "opd": options[3],
            "subject_name": self.rng.choice(["Medicine", "Pharmacology", "Pathology", "Microbiology", "Anatomy"]),
            "topic_name": "",
            "choice_type": "single",
        }

    def _options(self, pool, fill: dict) -> list[str]:
        if pool == "statements":
            subject = fill["d"]
            pool = [f"{subject} is associated with {f}" for f in FINDINGS] + [
                f"{subject} is treated with {x}" for x in DRUGS
            ]
        elif pool == "mechanisms":
            pool = MECHANISMS
        elif pool == "investigations":
            pool = INVESTIGATIONS
        options = self.rng.sample(pool, 4)
        if self.rng.random() < 0.1:
            options[3] = self.rng.choice(GENERIC)
        return options

    # --- MedQA ---------------------------------------------------------------------------------------------

    def medqa_row(self, i: int) -> dict:
        r = self.rng
        sex, pronoun = r.choice([("man", "He"), ("woman", "She"), ("boy", "He"), ("girl", "She")])
        symptoms = r.sample(FINDINGS, 3)
        history = r.choice(DISEASES)
        vitals = (
            f"Her temperature is {r.randint(36, 39)}.{r.randint(0, 9)}°C, pulse is {r.randint(55, 130)}/min, "
            f"respirations are {r.randint(10, 30)}/min, and blood pressure is "
            f"{r.randint(85, 180)}/{r.randint(50, 110)} mm Hg"
        )
        if pronoun == "He":
            vitals = vitals.replace("Her ", "His ")
        question = (
            f"A {r.randint(2, 85)}-year-old {sex} comes to the physician because of {symptoms[0]} for "
            f"{r.randint(2, 14)} {r.choice(['days', 'weeks', 'months'])}. {pronoun} also reports {symptoms[1]} and "
            f"{symptoms[2]}. {pronoun} has a history of {history} treated with {r.choice(DRUGS)}. {vitals}. "
            f"Physical examination shows tenderness over the {r.choice(STRUCTURES)}. Laboratory studies show a "
            f"hemoglobin concentration of {r.randint(7, 16)} g/dL and a leukocyte count of {r.randint(3, 25)},"
            f"{r.randint(100, 999)}/mm3. Which of the following is the most likely "
            f"{r.choice(['diagnosis', 'cause of these findings', 'next step in management'])}?"
        )
        options = dict(zip("ABCDE"[: r.choice([4, 5])], r.sample(DISEASES, 5), strict=False))
        letter = r.choice(sorted(options))
        return {
            "question": question,
            "answer": options[letter],
            "options": options,
            "meta_info": r.choice(["step1", "step2&3"]),
            "answer_idx": letter,
        }

    # --- PubMedQA ------------------------------------------------------------------------------------------

    def pubmedqa_item(self) -> dict:
        r = self.rng
        disease, drug, finding = r.choice(DISEASES), r.choice(DRUGS), r.choice(FINDINGS)
        n, site = r.randint(40, 4000), r.choice(["a tertiary hospital", "two regional centres", "a national registry"])
        question = r.choice(
            [
                f"Does {drug} reduce {finding} in patients with {disease}?",
                f"Is {finding} a predictor of mortality in {disease}?",
                f"Should {drug} be given routinely after surgery for {disease}?",
            ]
        )
        contexts = [
            f"The effect of {drug} on {finding} in {disease} has been studied in {r.randint(2, 9)} small trials with "
            "conflicting results, and guidelines differ on its use in "
            f"{r.choice(['adults', 'children', 'older people'])}.",
            f"We analysed {n} patients with {disease} treated at {site} between {r.randint(1995, 2010)} and "
            f"{r.randint(2011, 2020)}, of whom {r.randint(10, n)} received {drug} within {r.randint(1, 72)} hours "
            "of admission.",
            f"{finding.capitalize()} occurred in {r.randint(1, 60)}% of treated and {r.randint(1, 60)}% of untreated "
            f"patients (odds ratio {r.randint(2, 19) / 10:.1f}, 95% confidence interval {r.randint(1, 9) / 10:.1f} to "
            f"{r.randint(11, 40) / 10:.1f}), and length of stay was {r.randint(2, 20)} versus {r.randint(2, 20)} days.",
        ]
        decision = r.choice(["yes", "no", "maybe"])
        return {
            "QUESTION": question,
            "CONTEXTS": contexts,
            "LABELS": ["BACKGROUND", "METHODS", "RESULTS"],
            "MESHES": [disease.title(), drug.title()],
            "YEAR": str(r.randint(1998, 2018)),
            "reasoning_required_pred": decision,
            "reasoning_free_pred": decision,
            "final_decision": decision,
            "LONG_ANSWER": f"{drug.capitalize()} {'reduced' if decision == 'yes' else 'did not reduce'} {finding}.",
        }

    # --- files ---------------------------------------------------------------------------------------------

    def write_eval(self, root: Path, medqa: int, medmcqa: int, pubmedqa: int) -> EvalFiles:
        root.mkdir(parents=True, exist_ok=True)
        files = EvalFiles(
            root / "test.jsonl", root / "dev.json", root / "ori_pqal.json", root / "test_ground_truth.json"
        )
        files.medqa_rows = [self.medqa_row(i) for i in range(medqa)]
        files.medmcqa_rows = [self.medmcqa_row(i) for i in range(medmcqa)]
        pmids = self.rng.sample(range(10_000_000, 30_000_000), pubmedqa)
        files.pubmedqa_items = {str(p): self.pubmedqa_item() for p in pmids}
        _jsonl(files.medqa, files.medqa_rows)
        _jsonl(files.medmcqa, files.medmcqa_rows)
        files.pubmedqa.write_text(json.dumps(files.pubmedqa_items, indent=1), encoding="utf-8")
        test = dict(list(files.pubmedqa_items.items())[: pubmedqa // 2])
        files.ground_truth.write_text(json.dumps({k: v["final_decision"] for k, v in test.items()}), encoding="utf-8")
        return files


def british(text: str) -> str:
    for us, uk in BRITISH.items():
        text = text.replace(us, uk)
    return text


def _jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


@dataclass
class Planted:
    case: str  # how the item was planted ("copy", "reworded_option", "question_only", ...)
    record: str  # the sample id (without #style) of the training record that carries it
    item: str  # the evaluation item's id


class TrainingWriter:
    """Training files for `medc build-i` that carry planted evaluation items, plus clean ones from the same
    generator (`clean` of each kind) to count what decontamination removes that it should not."""

    def __init__(self, gen: EvalSetGenerator, evals: EvalFiles, root: Path) -> None:
        self.gen, self.evals, self.root, self.rng = gen, evals, root, gen.rng
        self.planted: list[Planted] = []
        self.medmcqa: list[dict] = []
        self.medqa: list[dict] = []
        self.dialogues: list[dict] = []
        self.pqaa: dict[str, dict] = {}

    def write(self, per_case: int, clean: int) -> list[Planted]:
        self.root.mkdir(parents=True, exist_ok=True)
        self._plant_medmcqa(per_case)
        self._plant_medqa(per_case)
        self._plant_pubmedqa(per_case)
        self.medmcqa += [self.gen.medmcqa_row(100_000 + i) for i in range(clean)]
        self.medqa += [self.gen.medqa_row(i) for i in range(clean // 4)]
        self.pqaa.update({str(40_000_000 + i): self.gen.pubmedqa_item() for i in range(clean // 4)})
        _jsonl(self.root / "train.json", self.medmcqa)  # MedMCQA's train.json is JSON Lines
        _jsonl(self.root / "US_train.jsonl", self.medqa)
        (self.root / "ori_pqaa.json").write_text(json.dumps(self.pqaa, indent=1), encoding="utf-8")
        # HealthCareMagic-100k.json is a JSON array, here with the byte-order mark some exports carry
        data = json.dumps(self.dialogues, indent=1, ensure_ascii=False).encode()
        (self.root / "HealthCareMagic-100k.json").write_bytes(b"\xef\xbb\xbf" + data)
        return self.planted

    def _dialogue(self, case: str, item: str, text: str) -> None:
        self.dialogues.append(
            {
                "instruction": "If you are a doctor, please answer the medical questions based on the patient's "
                "description.",
                "input": text,
                "output": "Thanks for your question. Please discuss this with your own doctor.",
            }
        )
        self.planted.append(Planted(case, f"healthcaremagic_100k:{len(self.dialogues)}", item))

    def _mcq_copy(self, case: str, row: dict) -> None:
        new = dict(row, id=f"train-{len(self.medmcqa):06d}")
        self.medmcqa.append(new)
        self.planted.append(Planted(case, f"medmcqa:{new['id']}", f"medmcqa:{row['id']}"))

    def _plant_medmcqa(self, k: int) -> None:
        rows = self.rng.sample(self.evals.medmcqa_rows, 7 * k)
        for row in rows[:k]:
            self._mcq_copy("medmcqa_copy", row)
        for row in rows[k : 2 * k]:  # line breaks removed, or one added
            q = row["question"]
            self._mcq_copy(
                "medmcqa_line_break", dict(row, question=q.replace("\n", " ") if "\n" in q else q.replace(" ", "\n", 1))
            )
        for row in rows[2 * k : 3 * k]:
            option = row["opb"].split()
            reworded = " ".join(reversed(option)) if len(option) > 1 else f"{row['opb']} only"
            self._mcq_copy("medmcqa_reworded_option", dict(row, opb=reworded))
        for row in rows[3 * k : 4 * k]:
            self._mcq_copy(
                "medmcqa_british_spelling", {key: british(v) if isinstance(v, str) else v for key, v in row.items()}
            )
        for row in rows[4 * k : 5 * k]:
            opts = " ".join(
                f"{letter}) {row[f]}" for letter, f in zip("ABCD", ("opa", "opb", "opc", "opd"), strict=True)
            )
            text = f"My exam had this question: {' '.join(row['question'].split())} {opts} Which one is right?"
            self._dialogue("medmcqa_one_line_dialogue", f"medmcqa:{row['id']}", text)
        asked = Counter(" ".join(r["question"].lower().rstrip(" -:?").split()) for r in self.evals.medmcqa_rows)
        for n, row in enumerate(rows[5 * k : 6 * k]):
            # The question alone: removable when no other item asks it (a generic stem is no evidence).
            unique = [
                r for r in self.evals.medmcqa_rows if asked[" ".join(r["question"].lower().rstrip(" -:?").split())] == 1
            ]
            row = unique[n % len(unique)] if n % 2 == 0 and unique else row
            case = "medmcqa_question_only_unique" if n % 2 == 0 and unique else "medmcqa_question_only_any"
            self._dialogue(case, f"medmcqa:{row['id']}", f"Can you explain this to me: {row['question']}")
        for row in rows[6 * k :]:  # a stem word changed: "Drug of choice for X" → "Drug of choice in X"
            q = row["question"]
            for old, new in ((" for ", " in "), (" of ", " in the "), (" is", " will be"), ("Which", "What")):
                if old in q:
                    q = q.replace(old, new, 1)
                    break
            self._mcq_copy("medmcqa_reworded_question", dict(row, question=q))

    def _plant_medqa(self, k: int) -> None:
        picks = self.rng.sample(range(len(self.evals.medqa_rows)), 3 * k)
        item = lambda i: f"medqa:test:{i + 1}"  # noqa: E731 - ids are medqa:<file stem>:<line>
        for i in picks[:k]:
            self.medqa.append(dict(self.evals.medqa_rows[i]))
            self.planted.append(Planted("medqa_copy", f"medqa:US_train:{len(self.medqa)}", item(i)))
        for i in picks[k : 2 * k]:
            self._dialogue(
                "medqa_quoted_vignette", item(i), f"My son asked me about this: {self.evals.medqa_rows[i]['question']}"
            )
        for i in picks[2 * k :]:
            words = self.evals.medqa_rows[i]["question"].split()
            for j in self.rng.sample(range(len(words)), 3):  # three words edited
                words[j] = "several"
            self._dialogue("medqa_edited_vignette", item(i), " ".join(words))

    def _plant_pubmedqa(self, k: int) -> None:
        items = list(self.evals.pubmedqa_items.items())[: len(self.evals.pubmedqa_items) // 2]  # the test half
        picks = self.rng.sample(items, 2 * k)
        for n, (pmid, obj) in enumerate(picks[:k]):  # the abstract again under another PMID and title
            new = str(50_000_000 + n)
            self.pqaa[new] = dict(obj, QUESTION=f"Is there a benefit in this study {n}?")
            self.planted.append(Planted("pubmedqa_abstract_other_pmid", f"pubmedqa:{new}", f"pubmedqa:{pmid}"))
        for pmid, obj in picks[k:]:
            self._dialogue(
                "pubmedqa_question_only", f"pubmedqa:{pmid}", f"I read online: {obj['QUESTION']} Is it true?"
            )
