/* users.h - account administration (GET /api/v1/users, PATCH
 * /api/v1/users/{id}): the list of accounts and changes to one, under the
 * rules of accounts_create (authz_user_manage / authz_user_create): an
 * admin manages every account; a county manages the village, township and
 * county accounts of its own region and cannot make admins. An account
 * outside the caller's region is SVC_NOT_FOUND. Nobody disables or demotes
 * itself (role or region). Disabling an account or resetting its password
 * ends its sessions; unlocking clears its login throttle. Every change is
 * audited (user.update) without the password. */
#ifndef DD_SERVICE_USERS_H
#define DD_SERVICE_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

#define USERS_Q_MAX 64

/* {"items":[{"id","username","name","role","region","region_name",
 * "disabled","locked_until","created_at"}],"total","page","per_page"} of
 * the accounts in actor's region whose user name or name contains q ("" =
 * all), by user name. Admin and county only (SVC_FORBIDDEN). */
enum svc_kind users_list(struct db *db, const struct principal *actor, const char *q, int64_t page, int64_t per_page,
			 struct strbuf *out, struct svc_error *e);

/* A change: the fields given (NULL / -1 = unchanged). */
struct user_change {
	const char *name;
	const char *role;
	const char *region;
	int disabled; /* -1 unchanged, 0 enable, 1 disable */
	const char *password;
	size_t password_len;
	bool unlock;
};

/* Applies the change in one transaction and appends the user object (as
 * in the list) to out. SVC_BAD_INPUT naming the field (EMPTY_CHANGE "$"
 * when nothing is given), SVC_NOT_FOUND, SVC_FORBIDDEN (ROLE_NOT_ALLOWED,
 * REGION_OUT_OF_SCOPE, SELF_CHANGE). */
enum svc_kind users_update(struct db *db, const struct principal *actor, int64_t id, const struct user_change *req,
			   struct strbuf *out, struct svc_error *e);

#endif
