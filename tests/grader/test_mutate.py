"""./grade mutate: the mutants it makes (grader/mutations.py), their ids, the sample, the
equivalence file, and one run on the fixture tree (a killed mutant, a survivor, an equivalent)."""

import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

from grader import build, config, sandbox
from grader.mutate import Verdict, choose, grade_mutant, read_equivalent, summarize
from grader.mutations import Mutant, MutationError, mutants
from tests.grader import fixture, support

SOURCE = textwrap.dedent("""\
    #include "kernel.h"

    static int helper(int x)
    {
        return x < 3 ? x + 1 : x;
    }

    long take(struct thing *t, long n)
    {
        (void)helper;
        /* BEGIN SOLUTION
         * STUB: return 0;
         */
        if (n <= 0 || t->count < n)
            return -1;
        long before = t->count;
        t->log[0] = before;
        t->count -= n;
        ws_dispatch_signal(t);
        for (int i = 0; i < 2; i++)
            t->log[i] = before;
        return before;
        /* END SOLUTION */
    }
    """)


def by_change(found):
    return {(m.operator, m.change, m.statement) for m in found}


class Mutations(unittest.TestCase):
    def test_every_operator_and_only_inside_the_region(self):
        found = mutants(SOURCE, "thing.c", "07")
        changes = by_change(found)
        self.assertIn(("ror", "`<=` -> `<`", "if(n<=0||t->count<n)"), changes)
        self.assertIn(("ror", "`<` -> `>`", "if(n<=0||t->count<n)"), changes)
        self.assertIn(("lcr", "`||` -> `&&`", "if(n<=0||t->count<n)"), changes)
        self.assertIn(("aor", "`-=` -> `+=`", "t->count-=n;"), changes)
        self.assertIn(("aor", "`++` -> `--`", "for(int i=0;i<2;i++)"), changes)
        self.assertIn(("const", "`2` -> `3`", "for(int i=0;i<2;i++)"), changes)
        self.assertIn(("const", "`1` -> `0`", "return-1;"), changes)
        self.assertIn(("call", "deleted", "ws_dispatch_signal(t);"), changes)
        self.assertIn(("delete", "deleted", "t->count-=n;"), changes)
        self.assertIn(("invert", "condition inverted", "if(n<=0||t->count<n)"), changes)
        self.assertIn(("swap", "swapped with the next statement", "t->count-=n; | ws_dispatch_signal(t);"), changes)
        region = (SOURCE.index("if (n <= 0"), SOURCE.index("/* END SOLUTION"))
        for mutant in found:
            self.assertTrue(region[0] <= mutant.start <= mutant.end <= region[1], mutant.describe())
            self.assertEqual(mutant.function, "take")
        self.assertEqual(len({m.id for m in found}), len(found))

    def test_no_mutant_that_cannot_compile_or_changes_nothing(self):
        changes = by_change(mutants(SOURCE, "thing.c", "07"))
        # `before` is used by the next statement: swapping them would not compile
        self.assertFalse([c for c in changes if c[0] == "swap" and c[2].startswith("long before")])
        self.assertIn(("swap", "swapped with the next statement", "if(n<=0||t->count<n)return-1; | long before=t->count;"),
                      changes)
        self.assertFalse([c for c in changes if "(void)" in c[2]])  # outside the region, and a no-op
        self.assertFalse([c for c in changes if c[0] == "delete" and c[2].startswith("return")])

    def test_apply_changes_only_the_span(self):
        mutant = next(m for m in mutants(SOURCE, "thing.c", "07") if m.change == "`||` -> `&&`")
        self.assertEqual(mutant.apply(SOURCE), SOURCE.replace("n <= 0 || t", "n <= 0 && t"))
        self.assertEqual(mutant.line, SOURCE[:SOURCE.index("||")].count("\n") + 1)

    def test_ids_survive_unrelated_edits(self):
        edited = SOURCE.replace('#include "kernel.h"\n', '#include "kernel.h"\n\n/* a new comment */\n'
                                                     'int unrelated(void) { return 1 + 2; }\n')
        edited = edited.replace("t->count -= n;", "t->count  -=  n; /* taken */")
        before = {m.id: m.change for m in mutants(SOURCE, "thing.c", "07")}
        after = {m.id: m.change for m in mutants(edited, "thing.c", "07")}
        self.assertEqual(before, after)
        changed = SOURCE.replace("t->count -= n;", "t->count -= n + 0;")
        ids = {m.id for m in mutants(changed, "thing.c", "07")}
        self.assertNotIn(next(i for i, c in before.items() if c == "`-=` -> `+=`"), ids)

    def test_unbalanced_region_is_a_clear_error(self):
        with self.assertRaisesRegex(MutationError, "unbalanced"):
            mutants(SOURCE.replace("i++)", "i++"), "thing.c", "07")


class Selection(unittest.TestCase):
    def test_sample_is_fixed_by_its_seed(self):
        found = mutants(SOURCE, "thing.c", "07")
        lab = config.Lab(7, "things", "Things", "07-things", ("thing.c",), "thing", 3.0)
        first = choose(lab, found, 5, "1", set())
        self.assertEqual(len(first), 5)
        self.assertEqual(first, choose(lab, list(reversed(found)), 5, "1", set()))
        self.assertNotEqual(first, choose(lab, found, 5, "2", set()))
        self.assertEqual(choose(lab, found, None, "1", {found[3].id}), [found[3]])

    def test_equivalence_file_needs_a_reason_per_id(self):
        folder = Path(tempfile.mkdtemp())
        good = folder / "good.toml"
        good.write_text('[[equivalent]]\nid = "07-0000abcd"\nmutant = "x"\nreason = "never negative"\n')
        self.assertEqual(read_equivalent(good), {"07-0000abcd": "never negative"})
        bad = folder / "bad.toml"
        bad.write_text('[[equivalent]]\nid = "07-0000abcd"\n')
        with self.assertRaisesRegex(config.ConfigError, "reason"):
            read_equivalent(bad)
        self.assertEqual(read_equivalent(folder / "missing.toml"), {})

    def test_kill_rate_counts_neither_equivalents_nor_mutants_that_do_not_compile(self):
        found = mutants(SOURCE, "thing.c", "07")[:5]
        lab = config.Lab(7, "things", "Things", "07-things", ("thing.c",), "thing", 3.0)
        verdicts = [Verdict("killed", "things/a (failed)"), Verdict("survived"), Verdict("uncompilable", "error"),
                    Verdict("survived"), Verdict("killed", "things/b (failed)")]
        line, details, rate, counts = summarize(lab, found, verdicts, {found[3].id: "why", found[4].id: "why"})
        self.assertEqual(line, "07 things: 5 mutants: 1 killed, 1 survived, 2 equivalent, 1 do not compile; "
                               "kill rate 50.0% (1/2)")
        self.assertEqual(rate, 50.0)
        self.assertEqual(counts["misjudged"], 1)  # found[4] is "equivalent" but a test killed it
        self.assertEqual([d.split()[:2] for d in details],
                         [["survived", found[1].id], ["does", "not"], ["KILLED", "but"]])
        self.assertIn(f"compile {found[2].id} ", details[1])
        self.assertIn(f"listed as equivalent: {found[4].id} ", details[2])


ADDER = textwrap.dedent("""\
    #include "kernel.h"
    int adder_add(int a, int b)
    {
        /* BEGIN SOLUTION
         * STUB: return 0;
         */
        int sum = a + b;
        return sum * 1;
        /* END SOLUTION */
    }
    """)


class Command(unittest.TestCase):
    """The fixture's adder, marked: `+` -> `-` and `1` -> `0`/`2` are killed, `*` -> `/` survives."""

    @classmethod
    def setUpClass(cls):
        support.tree()  # sets the cache folder
        cls.root = fixture.make_tree()
        (cls.root / "solutions/01-adder/adder.c").write_text(ADDER)
        cls.survivor = next(m for m in mutants(ADDER, "adder.c", "01") if m.change == "`*` -> `/`")

    def mutate(self, *args):
        return subprocess.run([sys.executable, str(self.root / "grade"), "mutate", "01", *args], cwd=self.root,
                              capture_output=True, text=True, timeout=300)

    def test_a_mutant_that_does_not_compile_is_told_apart(self):
        labs = config.load_labs(self.root)
        shared = build.SharedBuild(self.root, labs)
        sandbox.require()
        broken = Mutant("01-broken", "adder.c", "adder_add", 7, "aor", "", "", ADDER.index("+ b"),
                        ADDER.index("+ b") + 1, "+*")
        work = Path(tempfile.mkdtemp())
        work.chmod(0o711)  # as ./grade mutate's own: the sandboxed uid reaches its folder
        verdict = grade_mutant(shared, shared.ensure(), labs[0], broken, self.root, work / "broken", 2)
        self.assertEqual(verdict.kind, "uncompilable", verdict.detail)
        self.assertIn("error:", verdict.detail)  # the compiler's own message

    def test_kill_rate_survivor_and_equivalent(self):
        result = self.mutate()
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("01 adder: 4 mutants: 3 killed, 1 survived, 0 equivalent, 0 do not compile; "
                      "kill rate 75.0% (3/4)", result.stdout)
        self.assertIn(f"survived {self.survivor.id} adder_add:8 aor: `*` -> `/`", result.stdout)
        equivalent = self.root / "tests/mutants/equivalent.toml"
        equivalent.write_text(f'[[equivalent]]\nid = "{self.survivor.id}"\nreason = "x / 1 == x * 1"\n'
                              '[[equivalent]]\nid = "01-00000000"\nreason = "gone"\n')
        try:
            result = self.mutate()
            self.assertIn("1 equivalent, 0 do not compile; kill rate 100.0% (3/3)", result.stdout)
            self.assertIn("stale: 01-00000000", result.stdout)
            self.assertEqual(result.returncode, 1, result.stdout + result.stderr)  # the stale entry
            equivalent.write_text(f'[[equivalent]]\nid = "{self.survivor.id}"\nreason = "x / 1 == x * 1"\n')
            result = self.mutate("--sample", "2", "--seed", "3")
            self.assertIn("01 adder: 2 mutants:", result.stdout)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        finally:
            equivalent.unlink()


if __name__ == "__main__":
    unittest.main()
