// The dialogs behind the buttons of the service tables (edit, add, drain, restore,
// delete), shared by the services page and a service's page.
import { useState } from 'preact/hooks';
import { config } from '../store.js';
import { deleteReal, deleteService, findService, realId, setWeight } from '../model.js';
import { hostPort } from '../format.js';
import { ConfirmChange } from '../components/ChangeDialog.js';
import { ServiceForm } from './ServiceForm.js';
import { RealForm } from './RealForm.js';
import type { RowActions } from './ServiceTable.js';

type Open =
  | { kind: 'service'; sid?: string }
  | { kind: 'real'; sid: string; rid?: string }
  | { kind: 'drain' | 'restore' | 'delete-real'; sid: string; rid: string }
  | { kind: 'delete-service'; sid: string };

/** The weight a drained real had, to give it back (kept in this browser). */
const drainedKey = (sid: string, rid: string) => `ipvx.drained.${sid}#${rid}`;

export function useActions(onServiceDeleted?: () => void): { actions: RowActions & { newService(): void; deleteService(sid: string): void }; dialogs: preact.JSX.Element | null } {
  const [open, setOpen] = useState<Open | null>(null);
  const close = () => setOpen(null);
  const actions = {
    newService: () => setOpen({ kind: 'service' }),
    editService: (sid: string) => setOpen({ kind: 'service', sid }),
    deleteService: (sid: string) => setOpen({ kind: 'delete-service', sid }),
    addReal: (sid: string) => setOpen({ kind: 'real', sid }),
    editReal: (sid: string, rid: string) => setOpen({ kind: 'real', sid, rid }),
    deleteReal: (sid: string, rid: string) => setOpen({ kind: 'delete-real', sid, rid }),
    drain: (sid: string, rid: string) => setOpen({ kind: 'drain', sid, rid }),
    restore: (sid: string, rid: string) => setOpen({ kind: 'restore', sid, rid }),
  };
  let dialogs: preact.JSX.Element | null = null;
  const state = config.value?.state;
  if (open && state) {
    const svc = findService(state, open.sid ?? '');
    const real = open.kind !== 'service' && open.kind !== 'delete-service' && 'rid' in open && open.rid ? svc?.reals.find((r) => realId(r) === open.rid) : undefined;
    const realName = real && svc ? hostPort(real.address, real.port || svc.port) : '';
    const svcName = svc ? `${svc.protocol.toUpperCase()} ${hostPort(svc.vip, svc.port)}` : '';
    switch (open.kind) {
      case 'service':
        dialogs = <ServiceForm sid={open.sid} onClose={close} />;
        break;
      case 'real':
        dialogs = <RealForm sid={open.sid} rid={open.rid} onClose={close} />;
        break;
      case 'drain': {
        const was = real?.weight ?? 1;
        dialogs = (
          <ConfirmChange title={`Drain ${realName}`} onClose={close}
            what={<p>Set the weight of <b>{realName}</b> in {svcName} to 0: it gets no new connections; the ones it has go on until they end.</p>}
            make={(b) => { localStorage.setItem(drainedKey(open.sid, open.rid), String(was)); return setWeight(b, open.sid, open.rid, 0); }} />
        );
        break;
      }
      case 'restore': {
        const back = Number(localStorage.getItem(drainedKey(open.sid, open.rid))) || 1;
        dialogs = (
          <ConfirmChange title={`Restore ${realName}`} onClose={close}
            what={<p>Give <b>{realName}</b> in {svcName} its weight back: {back}.</p>}
            make={(b) => setWeight(b, open.sid, open.rid, back)} />
        );
        break;
      }
      case 'delete-real':
        dialogs = (
          <ConfirmChange title={`Delete ${realName}`} onClose={close}
            what={<p>Remove <b>{realName}</b> from {svcName}. Its established connections are dropped; drain it first to let them finish.</p>}
            make={(b) => deleteReal(b, open.sid, open.rid)} />
        );
        break;
      case 'delete-service':
        dialogs = (
          <ConfirmChange title={`Delete ${svcName}`} onClose={() => { close(); if (!findService(config.value!.state, open.sid)) onServiceDeleted?.(); }}
            what={<p>Remove the virtual service <b>{svcName}</b> and its {svc?.reals.length ?? 0} real servers. Its VIP stops being balanced at once.</p>}
            make={(b) => deleteService(b, open.sid)} />
        );
        break;
    }
  }
  return { actions, dialogs };
}
