/* test-reload.c: the plan of a --watch reload (lib/probe/reload.c). */
#include "probe/reload.h"
#include "unit.h"

#define N RELOAD_NONE

/* A site: url u, definition version d (same url, other definition). */
static struct reload_site
site(unsigned u, unsigned d)
{
	struct reload_site s;

	s.urlhash = 0x9e3779b97f4a7c15ULL * u;
	s.defhash = s.urlhash ^ (0xbf58476d1ce4e5b9ULL * (d + 1));
	return s;
}

static void
unchanged(void)
{
	struct reload_site old[] = { site(1, 0), site(2, 0), site(3, 0) };
	struct reload_site new[] = { site(3, 0), site(1, 0), site(2, 0) };
	struct reload_plan p;

	reload_plan(&p, old, 3, new, 3);
	CHECK(p.kept == 3 && p.added == 0 && p.removed == 0 && p.changed == 0);
	CHECK(p.keep[0] == 2 && p.keep[1] == 0 && p.keep[2] == 1);
	CHECK(p.replaces[0] == N && p.replaces[1] == N && p.replaces[2] == N);
	CHECK(!p.leave[0] && !p.leave[1] && !p.leave[2]);
	reload_plan_free(&p);
}

static void
added_removed_changed(void)
{
	/* 1 stays, 2 changes its definition, 3 goes, 4 comes. */
	struct reload_site old[] = { site(1, 0), site(2, 0), site(3, 0) };
	struct reload_site new[] = { site(4, 0), site(2, 1), site(1, 0) };
	struct reload_plan p;

	reload_plan(&p, old, 3, new, 3);
	CHECK(p.kept == 1 && p.added == 1 && p.changed == 1 && p.removed == 1);
	CHECK(p.keep[0] == N && p.replaces[0] == N);	/* 4: added */
	CHECK(p.keep[1] == N && p.replaces[1] == 1);	/* 2: changed */
	CHECK(p.keep[2] == 0 && p.replaces[2] == N);	/* 1: kept */
	CHECK(!p.leave[0] && p.leave[1] && p.leave[2]);
	reload_plan_free(&p);
}

static void
duplicates(void)
{
	/* Two identical lines before, three after: two kept, one added. */
	struct reload_site old[] = { site(5, 0), site(5, 0) };
	struct reload_site new[] = { site(5, 0), site(5, 0), site(5, 0) };
	struct reload_site fewer[] = { site(5, 0) };
	struct reload_plan p;

	reload_plan(&p, old, 2, new, 3);
	CHECK(p.kept == 2 && p.added == 1 && p.changed == 0 && p.removed == 0);
	CHECK(p.keep[0] == 0 && p.keep[1] == 1 && p.keep[2] == N);
	/* A third copy of a kept url is a plain addition, not a change. */
	CHECK(p.replaces[2] == N);
	reload_plan_free(&p);
	reload_plan(&p, old, 2, fewer, 1);
	CHECK(p.kept == 1 && p.removed == 1 && p.keep[0] == 0);
	CHECK(!p.leave[0] && p.leave[1]);
	reload_plan_free(&p);
}

static void
unchanged_wins_over_change(void)
{
	/*
	 * Old: url 6 as version 0. New: url 6 as version 1 first, then as
	 * version 0. The unchanged one keeps the schedule, the other is an
	 * addition, whatever the order.
	 */
	struct reload_site old[] = { site(6, 0) };
	struct reload_site new[] = { site(6, 1), site(6, 0) };
	struct reload_plan p;

	reload_plan(&p, old, 1, new, 2);
	CHECK(p.kept == 1 && p.added == 1 && p.changed == 0 && p.removed == 0);
	CHECK(p.keep[1] == 0 && p.keep[0] == N && p.replaces[0] == N);
	reload_plan_free(&p);
}

static void
empty_sets(void)
{
	struct reload_site some[] = { site(1, 0), site(2, 0) };
	struct reload_plan p;

	reload_plan(&p, NULL, 0, some, 2);
	CHECK(p.added == 2 && p.kept == 0 && p.removed == 0);
	reload_plan_free(&p);
	reload_plan(&p, some, 2, NULL, 0);
	CHECK(p.removed == 2 && p.leave[0] && p.leave[1]);
	reload_plan_free(&p);
	reload_plan(&p, NULL, 0, NULL, 0);
	CHECK(p.kept + p.added + p.removed + p.changed == 0);
	reload_plan_free(&p);
}

static void
many(void)
{
	struct reload_site old[1000], new[1000];
	struct reload_plan p;
	size_t i, kept = 0;

	/* Old: urls 0..999. New: the even ones, then 1000..1499 added. */
	for (i = 0; i < 1000; i++)
		old[i] = site((unsigned)i, 0);
	for (i = 0; i < 500; i++) {
		new[i] = site((unsigned)(2 * i), 0);
		new[500 + i] = site((unsigned)(1000 + i), 0);
	}
	reload_plan(&p, old, 1000, new, 1000);
	CHECK(p.kept == 500 && p.added == 500 && p.removed == 500);
	for (i = 0; i < 500; i++)
		kept += p.keep[i] == 2 * i;
	CHECK(kept == 500);
	for (i = 0; i < 1000; i++)
		if (!CHECK(p.leave[i] == (i % 2 == 1)))
			break;
	reload_plan_free(&p);
}

int
main(void)
{
	TEST("reload: the same sites in another order are all kept", unchanged());
	TEST("reload: kept, added, changed and removed sites told apart",
	    added_removed_changed());
	TEST("reload: identical lines pair off one to one", duplicates());
	TEST("reload: an unchanged copy keeps the schedule before a change claims it",
	    unchanged_wins_over_change());
	TEST("reload: from and to empty sets", empty_sets());
	TEST("reload: 1000 sites, half kept, half replaced", many());
	return unit_done();
}
