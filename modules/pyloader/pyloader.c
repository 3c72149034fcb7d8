/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* pyloader.so: Python broker modules, run inside the broker.
 *
 * The broker runs every module on a thread of its own and, for a ".py"
 * file, calls flux_module_loader_main() here on that thread.  All Python
 * modules share one interpreter, created on the first load (or started
 * before it, when the broker calls flux_module_loader_prepare()) and kept
 * until the broker exits: libpython cannot be unloaded, and
 * sub-interpreters do not work with cffi (DESIGN.md, decision 3).
 *
 * Threads.  The interpreter is started, and at broker exit finalized, by
 * a thread of its own ("pyloader"), not by the module thread that
 * happened to load first.  Python remembers the thread that initialized
 * it as the main thread: threading.main_thread(), and the thread whose
 * state Py_FinalizeEx() expects.  A module thread comes and goes with
 * its module, so if it were the main thread, threading._shutdown() would
 * later see a main thread that no longer exists, and finalizing from the
 * broker's main thread would run Python's exit sequence on a thread
 * Python never saw.  The pyloader thread imports threading, releases the
 * GIL, sleeps until flux_module_loader_fini() wakes it, and then
 * finalizes on the thread that initialized.  It blocks every signal, as
 * module threads do: signals belong to the broker's main thread, and
 * Python is started without its signal handlers.
 *
 * Each module thread creates one thread state for its whole life, takes
 * the GIL to run the module, and deletes the state when the module
 * returns.  The GIL is not held while the module waits in its reactor:
 * the cffi bindings release it around every C call and take it back in
 * callbacks.  The Python half of the loader (flux/_pyloader.py) does the
 * rest: import the file as a module of its own, find the entry point,
 * run it, turn its exceptions into an errno and the broker log.
 *
 * Symbols.  The broker dlopens loaders RTLD_LOCAL, so libpython, which
 * this object links, is not in the global scope, and compiled extension
 * modules (which do not link libpython) would fail to load with
 * "undefined symbol".  So before Python starts, the library that defines
 * Py_Initialize is re-opened with RTLD_GLOBAL|RTLD_NOLOAD, which only
 * promotes the copy already loaded.
 *
 * Stopping a stuck module.  When a module ignores shutdown, the broker
 * calls flux_module_loader_interrupt() from its main thread, which asks
 * for flux._pyloader.ModuleInterrupted (a BaseException) to be raised in
 * the module's thread.  Raising it takes the GIL, and the broker's main
 * thread must never wait for the GIL: a module stuck in C code that holds
 * it (a catastrophic regular expression) would freeze the whole broker.
 * So interrupt only records the request and wakes the pyloader thread,
 * which takes the GIL (waiting as long as it must) and raises the
 * exception.  Python delivers it at the next bytecode the module's thread
 * runs: a module looping in Python stops; one stuck in C code stops when
 * that code returns, if ever, and is abandoned by the broker meanwhile.
 * Module threads register while they run Python (struct modthread), so an
 * interrupt names a thread that is inside the interpreter, never one that
 * left it (whose id may already be another thread's).
 *
 * fork().  A process forked by a Python thread of the broker (a module's
 * handler calling os.fork()) starts as a copy of that thread, with every
 * signal blocked and the broker's signal handlers, which only write to
 * the broker's wakeup pipe: nothing would end it, and it would outlive
 * the instance.  So a handler run in the child by fork() (pthread_atfork)
 * unblocks every signal, puts back the default action of each signal the
 * broker catches, and asks for SIGTERM when the thread that forked it
 * ends (PR_SET_PDEATHSIG), which is at the latest when the broker
 * exits.  flux/_pyloader.py does the Python side (the child may not run
 * the module's reactor, and makes subprocess fork rather than vfork or
 * posix_spawn, which run no fork handler, so that a command a module
 * starts gets the handler too).  The broker's descriptors are
 * close-on-exec.
 */
#include <Python.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <flux/core.h>

/* Seconds flux_module_loader_fini() waits for Python to finalize. */
#define FINALIZE_TIMEOUT 5

/* The loader's entry points are declared, with their typedefs, in
 * flux/module.h.
 */

/* A stack dump the broker asked for (flux_module_loader_stack): the
 * pyloader thread writes it to 'fd' and closes it.
 */
struct stackjob {
    pthread_t thread;
    int fd;
    struct stackjob *next;
};

/* A module thread inside the interpreter; on that thread's stack. */
struct modthread {
    pthread_t thread;
    bool interrupt;         /* the broker asked to interrupt it */
    struct modthread *next;
};

/* All of this is shared by the module threads and the pyloader thread.
 * 'lock' guards the fields; Python objects are guarded by the GIL.
 * N.B. Lock order: the GIL, then 'lock'; never wait for the GIL while
 * holding 'lock'.
 */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool started;           /* the pyloader thread was created */
    bool ready;             /* Python is initialized (or failed to) */
    bool stopping;          /* fini was called: no more loads */
    bool finalize;          /* the pyloader thread may finalize */
    int init_errnum;        /* errno if Python failed to start */
    char init_error[256];
    int nthreads;           /* module threads inside the interpreter */
    bool running;           /* Python is up and not finalizing */
    pid_t pid;              /* the broker's */
    struct modthread *modthreads; /* those of them that run a module */
    bool interrupts;        /* some modthread has interrupt set */
    struct stackjob *stackjobs; /* stack dumps to make */
    pthread_t thread;
    PyInterpreterState *interp;
    PyObject *loader;       /* the flux._pyloader module (GIL) */
} py = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .cond = PTHREAD_COND_INITIALIZER,
};

/* Make libpython's symbols global (see above).  The handle is kept: the
 * library stays loaded for the life of the process anyway.
 */
static int promote_libpython (char *errbuf, size_t size)
{
    Dl_info info;

    if (dladdr ((void *)Py_Initialize, &info) == 0 || !info.dli_fname) {
        snprintf (errbuf, size, "cannot find the library that defines"
                  " Py_Initialize");
        errno = ELIBACC;
        return -1;
    }
    dlerror ();
    if (!dlopen (info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD)) {
        const char *s = dlerror ();
        snprintf (errbuf, size, "%s: %s", info.dli_fname,
                  s ? s : "dlopen failed");
        errno = ELIBACC;
        return -1;
    }
    return 0;
}

static void set_status_error (PyStatus status, char *errbuf, size_t size)
{
    snprintf (errbuf, size, "cannot start Python: %s%s%s",
              status.func ? status.func : "",
              status.func ? ": " : "",
              status.err_msg ? status.err_msg : "unknown error");
}

/* Append the built-in python_path (the flux package of this
 * installation, or of the build tree) to sys.path, after whatever
 * PYTHONPATH put there, so a broker not started by `flux start` finds
 * the flux package too.  Called with the GIL.
 */
static int extend_sys_path (char *errbuf, size_t size)
{
    const char *pp = flux_conf_builtin_get ("python_path", FLUX_CONF_AUTO);
    PyObject *sys_path = PySys_GetObject ("path"); // borrowed
    char *copy, *dir, *saveptr = NULL;
    int rc = -1;

    if (!pp)
        return 0;
    if (!sys_path || !PyList_Check (sys_path)) {
        snprintf (errbuf, size, "cannot start Python: sys.path is not a"
                  " list");
        return -1;
    }
    if (!(copy = strdup (pp))) {
        snprintf (errbuf, size, "cannot start Python: out of memory");
        return -1;
    }
    for (dir = strtok_r (copy, ":", &saveptr); dir;
         dir = strtok_r (NULL, ":", &saveptr)) {
        PyObject *s = PyUnicode_DecodeFSDefault (dir);
        int found;
        if (!s)
            goto done;
        found = PySequence_Contains (sys_path, s);
        if (found == 0 && PyList_Append (sys_path, s) < 0)
            found = -1;
        Py_DECREF (s);
        if (found < 0)
            goto done;
    }
    rc = 0;
done:
    if (rc < 0) {
        PyErr_Clear ();
        snprintf (errbuf, size, "cannot start Python: cannot extend"
                  " sys.path");
    }
    free (copy);
    return rc;
}

/* The site packages, as site.main() would add them at start-up, but with
 * their .pth files recorded, to be run before the first module of the
 * user's is imported (python/_flux/_site.py says why).  If that helper
 * cannot be imported, site.main() runs as it is.  An error is printed
 * (as Python prints one from a .pth file or sitecustomize) and Python
 * goes on without the site packages it did not reach.
 */
static void start_site (void)
{
    PyObject *mod, *rc = NULL;

    if ((mod = PyImport_ImportModule ("_flux._site")))
        rc = PyObject_CallMethod (mod, "start", NULL);
    else {
        PyErr_Clear ();
        if ((mod = PyImport_ImportModule ("site")))
            rc = PyObject_CallMethod (mod, "main", NULL);
    }
    Py_XDECREF (mod);
    if (!rc)
        PyErr_Print ();
    Py_XDECREF (rc);
}

/* Import the Python half of the loader (and with it the flux package),
 * then move every object that exists so far into the collector's
 * permanent generation (gc.freeze()).  Called with the GIL, once.
 *
 * Why: a module thread runs gc.collect() as its module exits (see
 * flux/_pyloader.py: the module's cycles must be freed on its own
 * thread while its handle is open).  A full collection visits every
 * tracked object, and the standard library, cffi and the flux package
 * are some 16,000 of them: that was 6-8 ms per module removal, and
 * removing N modules cost N times the whole heap.  These objects live
 * as long as the interpreter, so the collector has nothing to find in
 * them; frozen, they are skipped, and a module's exit scans only what
 * modules made since.  Objects of the modules themselves are never
 * frozen: this runs before the first module.
 *
 * If the import fails, nothing is frozen and the error is left for the
 * module's own load to report (get_loader() imports again, and the
 * traceback goes to that module's log).
 */
static void preload_and_freeze (void)
{
    PyObject *gc, *rc;

    if (!(py.loader = PyImport_ImportModule ("flux._pyloader"))) {
        PyErr_Clear ();
        return;
    }
    if (!(gc = PyImport_ImportModule ("gc"))) {
        PyErr_Clear ();
        return;
    }
    if (!(rc = PyObject_CallMethod (gc, "freeze", NULL)))
        PyErr_Clear ();
    Py_XDECREF (rc);
    Py_DECREF (gc);
}

/* Start Python on this thread.  Returns the thread state that holds the
 * GIL, or NULL with errno and errbuf.
 */
static PyThreadState *python_start (char *errbuf, size_t size)
{
    PyConfig config;
    PyStatus status;
    const char *program;
    PyObject *threading;

    if (promote_libpython (errbuf, size) < 0)
        return NULL;
    /* The "Python" configuration (not "isolated"): PYTHONPATH and the
     * other PYTHON* variables are honoured, as in a python3 command.
     */
    PyConfig_InitPythonConfig (&config);
    config.install_signal_handlers = 0;
    config.parse_argv = 0;
    /* N.B. site runs below, in start_site(), with its .pth files put off
     * until a module of the user's is loaded.
     */
    config.site_import = 0;
    /* N.B. The interpreter this was built for, as program name: Python
     * derives its prefix (the standard library) and sys.executable from
     * it, which would otherwise be the broker's.
     */
    if ((program = flux_conf_builtin_get ("python", FLUX_CONF_AUTO))) {
        status = PyConfig_SetBytesString (&config, &config.program_name,
                                          program);
        if (PyStatus_Exception (status))
            goto error;
    }
    status = Py_InitializeFromConfig (&config);
    if (PyStatus_Exception (status))
        goto error;
    PyConfig_Clear (&config);
    /* N.B. No collection while the start-up imports run: they make tens
     * of thousands of objects and no garbage, and the collector would
     * scan the growing heap again and again for nothing (gc.freeze()
     * below then moves it all out of the collector's sight).
     */
    (void)PyGC_Disable ();
    if (!(threading = PyImport_ImportModule ("threading"))) {
        PyErr_Clear ();
        snprintf (errbuf, size, "cannot start Python: cannot import"
                  " threading");
        goto error_finalize;
    }
    Py_DECREF (threading);
    if (extend_sys_path (errbuf, size) < 0)
        goto error_finalize;
    start_site ();
    preload_and_freeze ();
    (void)PyGC_Enable ();
    return PyThreadState_Get ();
error:
    set_status_error (status, errbuf, size);
    PyConfig_Clear (&config);
    errno = ELIBACC;
    return NULL;
error_finalize:
    (void)Py_FinalizeEx ();
    errno = ELIBACC;
    return NULL;
}

static PyObject *get_loader (void);

/* On the pyloader thread, without 'lock': take the GIL, however long a
 * module holds it, and raise ModuleInterrupted in every module thread the
 * broker asked to interrupt.  A thread that has no Python state yet (or
 * any more) is not found, and is not interrupted.
 */
static void deliver_interrupts (PyThreadState *tstate)
{
    PyObject *exc;

    PyEval_RestoreThread (tstate);
    exc = get_loader () ? PyObject_GetAttrString (py.loader,
                                                  "ModuleInterrupted")
                        : NULL;
    PyErr_Clear ();
    pthread_mutex_lock (&py.lock);
    for (struct modthread *mt = py.modthreads; mt; mt = mt->next) {
        if (mt->interrupt && exc)
            (void)PyThreadState_SetAsyncExc ((unsigned long)mt->thread, exc);
        mt->interrupt = false;
    }
    py.interrupts = false;
    pthread_mutex_unlock (&py.lock);
    Py_XDECREF (exc);
    (void)PyEval_SaveThread ();
}

/* Write all of s to fd (a socket: no SIGPIPE if the broker gave up). */
static void write_all (int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = send (fd, s, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        s += n;
        len -= n;
    }
}

/* On the pyloader thread, without 'lock': take the GIL (however long a
 * module holds it) and write each job's stack, from
 * flux._pyloader.stack(), without the GIL.
 */
static void make_stacks (PyThreadState *tstate, struct stackjob *jobs)
{
    while (jobs) {
        struct stackjob *job = jobs;
        PyObject *text = NULL;
        const char *s;
        char *copy = NULL;

        jobs = job->next;
        PyEval_RestoreThread (tstate);
        if (get_loader ())
            text = PyObject_CallMethod (py.loader, "stack", "k",
                                        (unsigned long)job->thread);
        if (text && (s = PyUnicode_AsUTF8 (text)))
            copy = strdup (s);
        else {
            PyErr_Print ();
            copy = strdup ("flux-broker: pyloader: the stack could not be"
                           " made (see the broker's stderr)\n");
        }
        Py_XDECREF (text);
        (void)PyEval_SaveThread ();
        if (copy)
            write_all (job->fd, copy, strlen (copy));
        free (copy);
        (void)close (job->fd);
        free (job);
    }
}

/* The pyloader thread: start Python, deliver interrupts and make stacks
 * until fini, finalize.
 */
static void *pyloader_thread (void *arg)
{
    PyThreadState *tstate;
    char errbuf[sizeof (py.init_error)] = "";
    int errnum = 0;

    (void)arg;
    (void)pthread_setname_np (pthread_self (), "pyloader");
    if (!(tstate = python_start (errbuf, sizeof (errbuf))))
        errnum = errno;
    else {
        py.interp = PyThreadState_GetInterpreter (tstate);
        py.pid = getpid ();
        py.running = true;
        (void)PyEval_SaveThread ();
    }
    pthread_mutex_lock (&py.lock);
    py.init_errnum = errnum;
    memcpy (py.init_error, errbuf, sizeof (errbuf));
    py.ready = true;
    pthread_cond_broadcast (&py.cond);
    if (errnum) {
        pthread_mutex_unlock (&py.lock);
        return NULL;
    }
    while (!py.finalize) {
        if (py.interrupts) {
            pthread_mutex_unlock (&py.lock);
            deliver_interrupts (tstate);
            pthread_mutex_lock (&py.lock);
            continue;
        }
        if (py.stackjobs) {
            struct stackjob *jobs = py.stackjobs;
            py.stackjobs = NULL;
            pthread_mutex_unlock (&py.lock);
            make_stacks (tstate, jobs);
            pthread_mutex_lock (&py.lock);
            continue;
        }
        pthread_cond_wait (&py.cond, &py.lock);
    }
    /* Stacks asked for too late: the broker's end sees EOF. */
    while (py.stackjobs) {
        struct stackjob *job = py.stackjobs;
        py.stackjobs = job->next;
        (void)close (job->fd);
        free (job);
    }
    pthread_mutex_unlock (&py.lock);

    PyEval_RestoreThread (tstate);
    py.running = false;
    if (py.loader) {
        PyObject *rc = PyObject_CallMethod (py.loader, "shutdown", NULL);
        if (!rc)
            PyErr_Print ();
        Py_XDECREF (rc);
        Py_CLEAR (py.loader);
    }
    if (Py_FinalizeEx () < 0)
        fprintf (stderr, "flux-broker: pyloader: error finalizing"
                 " Python\n");
    return NULL;
}

/* In the child of fork(), on the copy of the thread that forked (see
 * "fork()" above): only for a thread that runs Python, i.e. a module's
 * thread or a thread a module started.  Async-signal-safe calls only.
 */
static void atfork_child (void)
{
    sigset_t none;

    if (!py.running || !PyGILState_GetThisThreadState ())
        return;
    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction sa;
        if (sig == SIGKILL || sig == SIGSTOP
            || sigaction (sig, NULL, &sa) < 0)
            continue;
        if (!(sa.sa_flags & SA_SIGINFO) && (sa.sa_handler == SIG_DFL
                                            || sa.sa_handler == SIG_IGN))
            continue;
        sa.sa_handler = SIG_DFL;
        sa.sa_flags = 0;
        sigemptyset (&sa.sa_mask);
        (void)sigaction (sig, &sa, NULL);
    }
    sigemptyset (&none);
    (void)pthread_sigmask (SIG_SETMASK, &none, NULL);
    (void)prctl (PR_SET_PDEATHSIG, SIGTERM);
    if (getppid () != py.pid) // the broker is already gone
        (void)raise (SIGTERM);
}

/* Start the pyloader thread unless it was.  Called with 'lock'.
 * Returns 0, or -1 with errno and the reason in 'error'.
 */
static int python_start_thread (char *error, size_t size)
{
    sigset_t all, saved;
    int e;

    if (py.started)
        return 0;
    /* The new thread inherits this mask: no signals, ever. */
    sigfillset (&all);
    (void)pthread_sigmask (SIG_BLOCK, &all, &saved);
    e = pthread_create (&py.thread, NULL, pyloader_thread, NULL);
    (void)pthread_sigmask (SIG_SETMASK, &saved, NULL);
    if (e != 0) {
        snprintf (error, size, "cannot start the Python thread: %s",
                  strerror (e));
        errno = e;
        return -1;
    }
    py.started = true;
    (void)pthread_atfork (NULL, NULL, atfork_child);
    return 0;
}

/* Start the pyloader thread once and wait until Python is up.  Returns 0,
 * or -1 with errno and the reason in 'error'.
 */
static int python_ensure (char *error, size_t size)
{
    int rc = 0;

    pthread_mutex_lock (&py.lock);
    if (py.stopping) {
        snprintf (error, size, "the broker is shutting down");
        errno = ESHUTDOWN;
        rc = -1;
        goto done;
    }
    if (python_start_thread (error, size) < 0) {
        rc = -1;
        goto done;
    }
    while (!py.ready)
        pthread_cond_wait (&py.cond, &py.lock);
    if (py.init_errnum) {
        snprintf (error, size, "%s", py.init_error);
        errno = py.init_errnum;
        rc = -1;
        goto done;
    }
    py.nthreads++;
done:
    pthread_mutex_unlock (&py.lock);
    return rc;
}

static void python_release (void)
{
    pthread_mutex_lock (&py.lock);
    py.nthreads--;
    pthread_mutex_unlock (&py.lock);
}

static void modthread_add (struct modthread *mt)
{
    mt->thread = pthread_self ();
    mt->interrupt = false;
    pthread_mutex_lock (&py.lock);
    mt->next = py.modthreads;
    py.modthreads = mt;
    pthread_mutex_unlock (&py.lock);
}

static void modthread_remove (struct modthread *mt)
{
    pthread_mutex_lock (&py.lock);
    for (struct modthread **p = &py.modthreads; *p; p = &(*p)->next) {
        if (*p == mt) {
            *p = mt->next;
            break;
        }
    }
    pthread_mutex_unlock (&py.lock);
}

/* Report a Python exception raised outside the module's own code (the
 * loader itself is broken, e.g. the flux package cannot be imported):
 * its last line is the module's error, the traceback goes to the log.
 * Called with the GIL and an exception set.
 */
static void report_loader_exception (flux_t *h)
{
    PyObject *val, *tbmod, *lines = NULL, *text = NULL;
    const char *s = NULL;

#if PY_VERSION_HEX >= 0x030C0000
    val = PyErr_GetRaisedException ();
#else
    {
        PyObject *exc, *tb;
        PyErr_Fetch (&exc, &val, &tb);
        PyErr_NormalizeException (&exc, &val, &tb);
        if (val && tb)
            (void)PyException_SetTraceback (val, tb);
        Py_XDECREF (exc);
        Py_XDECREF (tb);
    }
#endif
    /* traceback.format_exception(val): the single-argument form. */
    if (val && (tbmod = PyImport_ImportModule ("traceback"))) {
        lines = PyObject_CallMethod (tbmod, "format_exception", "O", val);
        Py_DECREF (tbmod);
    }
    if (lines) {
        PyObject *empty = PyUnicode_FromString ("");
        if (empty) {
            text = PyUnicode_Join (empty, lines);
            Py_DECREF (empty);
        }
        Py_DECREF (lines);
    }
    if (text)
        s = PyUnicode_AsUTF8 (text);
    if (s) {
        char *copy = strdup (s);
        char *line, *saveptr = NULL, *last = NULL;
        if (copy) {
            for (line = strtok_r (copy, "\n", &saveptr); line;
                 line = strtok_r (NULL, "\n", &saveptr)) {
                flux_log (h, LOG_ERR, "%s", line);
                last = line;
            }
            if (last)
                flux_module_set_error (h, "Python loader: %s", last);
            free (copy);
        }
    }
    else
        flux_module_set_error (h, "Python loader: an exception was raised");
    PyErr_Clear ();
    Py_XDECREF (text);
    Py_XDECREF (val);
}

/* Called with the GIL: import flux._pyloader once, keep it. */
static PyObject *get_loader (void)
{
    if (!py.loader)
        py.loader = PyImport_ImportModule ("flux._pyloader");
    return py.loader;
}

/* Taken by a module thread while it waits for the GIL the first time
 * (see flux_module_loader_main).  Lock order: entry_lock, then the GIL.
 */
static pthread_mutex_t entry_lock = PTHREAD_MUTEX_INITIALIZER;

static PyObject *make_args (int argc, char *argv[])
{
    PyObject *args;

    if (!(args = PyTuple_New (argc > 0 ? argc : 0)))
        return NULL;
    for (int i = 0; i < argc; i++) {
        PyObject *s = PyUnicode_DecodeFSDefault (argv[i]);
        if (!s) {
            Py_DECREF (args);
            return NULL;
        }
        PyTuple_SET_ITEM (args, i, s); // steals s
    }
    return args;
}

/* Run the module with the GIL held.  Returns the errno the module
 * exited with (0 for success).
 */
static int run_module (flux_t *h, const char *path, int argc, char *argv[])
{
    PyObject *loader, *args = NULL, *rc = NULL;
    const char *name = flux_module_name (h);
    int errnum = ECONNRESET;

    if (!(loader = get_loader ()))
        goto error;
    if (!(args = make_args (argc, argv)))
        goto error;
    /* N.B. The handle goes to Python as an integer; _pyloader wraps it in
     * a flux.Flux that takes a reference of its own (it is borrowed).
     */
    if (!(rc = PyObject_CallMethod (loader, "run", "KssO",
                                    (unsigned long long)(uintptr_t)h,
                                    path, name ? name : "", args)))
        goto error;
    errnum = (int)PyLong_AsLong (rc);
    if (errnum == -1 && PyErr_Occurred ())
        goto error;
    Py_DECREF (rc);
    Py_DECREF (args);
    return errnum;
error:
    report_loader_exception (h);
    Py_XDECREF (rc);
    Py_XDECREF (args);
    return errnum;
}

int flux_module_loader_main (flux_t *h, const char *path,
                             int argc, char *argv[])
{
    PyThreadState *tstate;
    struct modthread mt;
    char error[sizeof (py.init_error)];
    int errnum;

    if (!h || !path || argc < 0) {
        errno = EINVAL;
        return -1;
    }
    if (python_ensure (error, sizeof (error)) < 0) {
        errnum = errno;
        flux_log (h, LOG_ERR, "%s", error);
        flux_module_set_error (h, "%s", error);
        errno = errnum;
        return -1;
    }
    if (!(tstate = PyThreadState_New (py.interp))) {
        python_release ();
        flux_module_set_error (h, "cannot create a Python thread state");
        errno = ENOMEM;
        return -1;
    }
    modthread_add (&mt);
    /* N.B. One new module thread at a time waits for the GIL.  A thread
     * waiting for the GIL wakes every switch interval (5 ms) to ask the
     * holder to let go: with 1,000 modules loaded at once, 1,000 such
     * waiters made some 200,000 wakeups a second and most of the
     * broker's CPU time.  Behind this mutex the others sleep until it is
     * their turn, in the order they came.
     */
    pthread_mutex_lock (&entry_lock);
    PyEval_RestoreThread (tstate);
    pthread_mutex_unlock (&entry_lock);
    errnum = run_module (h, path, argc, argv);
    PyThreadState_Clear (tstate);
    PyThreadState_DeleteCurrent (); // and release the GIL
    modthread_remove (&mt);
    python_release ();
    if (errnum != 0) {
        errno = errnum;
        return -1;
    }
    return 0;
}

/* Called by the broker's main thread: never waits for the GIL (see
 * "Stopping a stuck module" above).  Returns 0 if the thread runs a
 * module, whose interrupt the pyloader thread delivers when it can.
 */
int flux_module_loader_interrupt (pthread_t thread)
{
    struct modthread *mt;

    pthread_mutex_lock (&py.lock);
    for (mt = py.modthreads; mt; mt = mt->next) {
        if (pthread_equal (mt->thread, thread))
            break;
    }
    if (mt && py.ready && !py.init_errnum && !py.stopping) {
        mt->interrupt = true;
        py.interrupts = true;
        pthread_cond_broadcast (&py.cond);
    }
    else
        mt = NULL;
    pthread_mutex_unlock (&py.lock);
    if (!mt) {
        errno = ESRCH;
        return -1;
    }
    return 0;
}

/* Called by the broker's main thread (flux module stack): queue the job
 * for the pyloader thread, which alone may wait for the GIL.
 */
int flux_module_loader_stack (pthread_t thread, int fd)
{
    struct stackjob *job;
    struct modthread *mt;

    if (!(job = calloc (1, sizeof (*job))))
        return -1;
    job->thread = thread;
    job->fd = fd;
    pthread_mutex_lock (&py.lock);
    for (mt = py.modthreads; mt; mt = mt->next) {
        if (pthread_equal (mt->thread, thread))
            break;
    }
    if (mt && py.ready && !py.init_errnum && !py.stopping) {
        job->next = py.stackjobs;
        py.stackjobs = job;
        pthread_cond_broadcast (&py.cond);
        job = NULL;
    }
    pthread_mutex_unlock (&py.lock);
    if (job) {
        free (job);
        errno = ESRCH;
        return -1;
    }
    return 0;
}

/* Called by the broker's main thread before the first load, when one is
 * expected soon: Python starts on the pyloader thread (about 70 ms with
 * the site packages and the flux package), while the broker goes on (its
 * rc1 starts a shell and loads the content module meanwhile), and the
 * first load waits only for what is left.  A thread that cannot be
 * created is not reported here: the first load tries again, and says why.
 */
void flux_module_loader_prepare (void)
{
    char error[sizeof (py.init_error)];

    pthread_mutex_lock (&py.lock);
    if (!py.stopping)
        (void)python_start_thread (error, sizeof (error));
    pthread_mutex_unlock (&py.lock);
}

void flux_module_loader_fini (void)
{
    bool join;

    pthread_mutex_lock (&py.lock);
    join = py.started && !py.stopping;
    py.stopping = true;
    py.finalize = true;
    if (join && py.nthreads > 0) {
        /* N.B. A module thread the broker abandoned may still run Python:
         * finalizing under it could crash the exit.  Leave Python as it
         * is; the process is exiting anyway.
         */
        fprintf (stderr, "flux-broker: pyloader: %d module thread(s) still"
                 " running Python; not finalizing it\n", py.nthreads);
        join = false;
        py.finalize = false;
    }
    pthread_cond_broadcast (&py.cond);
    pthread_mutex_unlock (&py.lock);
    if (join) {
        struct timespec deadline;

        /* N.B. Py_FinalizeEx() joins every non-daemon thread a module
         * started (threading._shutdown): one that never ends would hang
         * the broker's exit.  Give up waiting after a while.
         */
        clock_gettime (CLOCK_REALTIME, &deadline);
        deadline.tv_sec += FINALIZE_TIMEOUT;
        if (pthread_timedjoin_np (py.thread, NULL, &deadline) != 0)
            fprintf (stderr, "flux-broker: pyloader: Python did not finalize"
                     " within %d seconds (a thread started by a module is"
                     " still running?); exiting anyway\n", FINALIZE_TIMEOUT);
    }
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
