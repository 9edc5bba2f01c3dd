/* cli_session.c - the store, the policy and the --as user of a subcommand
 * (cli_session.h). */
#include "cli_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "service/accounts.h"

int cli_session_open(struct cli_session *s, const char *name, const char *db_target, const char *as,
		     const char *policy_path, bool want_policy)
{
	memset(s, 0, sizeof *s);
	size_t text_n = 0;
	if (want_policy && !cli_policy_text(policy_path, &s->policy_text, &text_n))
		return EXIT_BAD_INPUT;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = cli_db_open(db_target, false, &s->db, &err);
	if (rc) {
		cli_print_error(&err);
		cli_session_close(s);
		return cli_exit_code(rc);
	}
	struct svc_error e;
	svc_error_clear(&e);
	enum svc_kind k = as ? accounts_principal(s->db, as, &s->actor, &e) : SVC_OK;
	if (!k && as)
		s->as = &s->actor;
	if (!k && want_policy && !(k = policy_store_open(&s->ps, s->policy_text, text_n, s->db, &e)))
		s->policy = policy_store_acquire(s->ps);
	if (k) {
		cli_session_close(s);
		return cli_svc_fail(name, k, &e);
	}
	return EXIT_OK;
}

void cli_session_close(struct cli_session *s)
{
	if (s->policy)
		policy_store_release(s->ps, s->policy);
	policy_store_close(s->ps);
	free(s->policy_text);
	if (s->db)
		db_close(s->db);
	memset(s, 0, sizeof *s);
}
