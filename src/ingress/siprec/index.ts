export {
  isOfferlessSiprec,
  isSiprecInvite,
  offerlessSiprecLabels,
  readOfferlessSiprec,
  readSiprecOffer,
  readSiprecMetadataUpdate,
  senderOf,
} from './siprec-offer.js';
export type { SiprecOffer, SiprecOfferOptions } from './siprec-offer.js';
