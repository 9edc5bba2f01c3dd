/* cli_session.h - what most doudi subcommands open before calling a service:
 * the store, the policy (a file or the shipped one, with the store's own
 * entries) and the --as user (none: the system, every region). */
#ifndef DD_CLI_SESSION_H
#define DD_CLI_SESSION_H

#include <stdbool.h>

#include "core/policy.h"
#include "service/authz.h"
#include "service/policy_store.h"
#include "service/svc.h"
#include "store/db.h"

struct cli_session {
	struct db *db;
	struct policy_store *ps;
	const struct policy *policy; /* NULL unless asked for */
	struct principal actor;
	const struct principal *as; /* &actor with --as, else NULL */
	char *policy_text;
};

/* Opens them (the policy only with want_policy). 0, or the exit code after
 * printing the reason (prefixed with name); the session is then closed. */
int cli_session_open(struct cli_session *s, const char *name, const char *db_target, const char *as,
		     const char *policy_path, bool want_policy);
void cli_session_close(struct cli_session *s);

#endif
