/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proxy mode's part of the site file: `site.links` (the associations the proxy terminates) and
 * `site.routes` (DPC routes and GT translations). Schema in dataplane/proxy/README.md.
 */
#ifndef SW_PROXY_PROXY_CONF_H
#define SW_PROXY_PROXY_CONF_H

#include <stddef.h>

#include "proxy.h"

/* Add the links and routes of the site file to px (initialised, not sealed). 0, or -EINVAL /
 * -ENOENT with "file:line: message" in err. A site file without `links` is an error for proxy
 * mode (there is nothing to terminate). */
int sw_proxy_conf_load(struct sw_proxy *px, const char *site_path, char *err, size_t errlen);

/* `sigwallctl check` (the policy compiler, for a site with proxy links): would proxy mode load
 * the site file's links and routes? 0, or -EINVAL / -ENOENT / -ENOMEM with the file, line and
 * message of the first mistake in *where. */
struct sw_proxy_conf_err {
	char file[4096]; /* the site file, or the @include'd file the mistake is in */
	int line;
	char msg[512];
};
int sw_proxy_conf_check(const char *site_path, struct sw_proxy_conf_err *where);

#endif /* SW_PROXY_PROXY_CONF_H */
