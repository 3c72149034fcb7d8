/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A shared object that is not a module: it defines no mod_main(), so
 * loading it must fail with EINVAL "module does not define mod_main()".
 */
int not_a_module (void);

int not_a_module (void)
{
    return 42;
}
