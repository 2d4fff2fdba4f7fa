/*
 * nft_fixture.h — what the tests of table ip tugboat against the real
 * kernel share: a private user + network namespace (no root needed), the
 * table as nft lists it, and a listing normalized so that equal tables
 * compare equal whatever order their parts were made in.
 */
#ifndef TUG_NODEAGENT_TESTS_NFT_FIXTURE_H
#define TUG_NODEAGENT_TESTS_NFT_FIXTURE_H

/* Become uid 0 of a new user namespace with a new network namespace; -1 with errno. */
int nft_fixture_enter_netns(void);
/* "list table ip tugboat" through a context of our own; malloc'd, NULL when missing. */
char *nft_fixture_list_table(void);
/* A listing (freed) as its sorted lines, trimmed, with element lists split
 * one a line; malloc'd. */
char *nft_fixture_normalized(char *listing);
/* Run body in a forked child inside a fresh namespace (nft_fixture_enter_netns);
 * body writes what went wrong to fd and returns 0 on success. The test fails
 * with that text, or is skipped where user namespaces are not allowed. */
void nft_fixture_run_in_netns(int (*body)(int fd));

#endif
