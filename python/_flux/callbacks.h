/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The C-to-Python trampolines.  Each takes a void *arg made with
 * ffi.new_handle() for the Python object that owns the C object, and is
 * defined with @ffi.def_extern() in flux/ (every one catches
 * BaseException: see flux/core/callback.py).
 */
extern "Python" void message_handler_wrapper (flux_t *h,
                                              flux_msg_handler_t *mh,
                                              const flux_msg_t *msg,
                                              void *arg);
extern "Python" void watcher_wrapper (flux_reactor_t *r,
                                      flux_watcher_t *w,
                                      int revents,
                                      void *arg);
extern "Python" void continuation_callback (flux_future_t *f, void *arg);
extern "Python" void init_callback (flux_future_t *f, void *arg);
